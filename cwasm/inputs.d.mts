/* Types of cwasm/inputs.mjs (plain JavaScript: the build runs without tsx). */
export declare const CFLAGS: readonly string[];
export declare const EXPORTS: readonly string[];
export declare const SYNC_IMPORTS: ReadonlySet<string>;
export declare function asyncImports(names: readonly string[]): string[];
export declare function inputsHash(root: string): string;
