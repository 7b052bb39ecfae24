// node:sqlite as Deno implements it. @types/node 20 (the Node version this
// project supports) predates the module; drop this file with @types/node >= 22.
declare module 'node:sqlite' {
  export class DatabaseSync {
    constructor(path: string);
    exec(sql: string): void;
    close(): void;
    prepare(sql: string): StatementSync;
  }
  export class StatementSync {
    columns(): unknown[];
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
    iterate(...params: unknown[]): IterableIterator<unknown>;
  }
}
