export declare const ROOT: string;
export declare const BUNDLE_DIR: string;
export declare function pruneBundles(keep: string): void;
export declare function bundleEntry(entry: string, name: string): Promise<{ file: string } | { error: string }>;
export declare function importBundled(entry: string, name: string): Promise<Record<string, unknown>>;
export declare function bundleSource(contents: string, name: string): Promise<{ file: string } | { error: string }>;
export declare function bundleWorker(resolver: string): Promise<{ file: string } | { error: string }>;
export declare const BUILD: readonly { readonly what: string; make(): Promise<{ file: string } | { error: string }> }[];
