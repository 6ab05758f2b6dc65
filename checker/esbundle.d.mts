export declare const ROOT: string;
export declare const BUNDLE_DIR: string;
export declare function pruneBundles(keep: string): void;
export declare function bundleEntry(entry: string, name: string): Promise<{ file: string } | { error: string }>;
export declare function importBundled(entry: string, name: string): Promise<Record<string, unknown>>;
export declare function bundleSource(contents: string, name: string): Promise<{ file: string } | { error: string }>;
