declare class OpenAccount {
  constructor(owner: string);
  readonly owner: string;
}
declare function openAccount(command: OpenAccount): string;
declare class CloseAccountHandler {
  handle(command: unknown): void;
}
