import type { InvokeArgs } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";

/** How a mocked core answers one command: a value, a promise, or a thrown `IpcError` to reject. */
export type Handler = (args: InvokeArgs | undefined) => unknown;

/** One command the UI sent to the mocked core. */
export type Call = { cmd: string; args: InvokeArgs | undefined };

/**
 * A mocked core answering each command in `handlers`; any other command rejects. Every call
 * is recorded, in order, in the array returned. `events: true` also mocks app events.
 */
export function mockCommands(handlers: Record<string, Handler>, options: { events?: boolean } = {}): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      const handler = Object.hasOwn(handlers, cmd) ? handlers[cmd] : undefined;
      if (!handler) throw { kind: "internal", message: `unexpected command ${cmd}` };
      return handler(args);
    },
    // With `events`, the core's app events can be sent with `emit` from @tauri-apps/api/event.
    { shouldMockEvents: options.events === true },
  );
  return calls;
}

/** The arguments of every `cmd` call, in order. */
export function sent(calls: readonly Call[], cmd: string): (InvokeArgs | undefined)[] {
  return calls.filter((c) => c.cmd === cmd).map((c) => c.args);
}

/** A promise the test settles, to look at the UI while a call is pending. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A mocked core giving every command the one `answer` (for the API wrappers' tests,
 * which check exactly what each wrapper sends). Every call is recorded, in order.
 */
export function answerWith(answer: (cmd: string, payload: unknown) => unknown): { cmd: string; payload: unknown }[] {
  const calls: { cmd: string; payload: unknown }[] = [];
  mockIPC((cmd, payload) => {
    calls.push({ cmd, payload });
    return answer(cmd, payload);
  });
  return calls;
}
