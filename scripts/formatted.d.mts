export declare const FORMATTED: string[] | 'all';
