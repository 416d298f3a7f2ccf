/** main's IPC layer: the gate (register.ts, sender.ts) that every channel of shared/contract.ts passes through. */
export { registerHandlers, toErrorResult, describeIssues, type Handlers, type IpcMainLike, type RegisterOptions } from './register.js';
export { checkSender, type InvokeEventLike, type SenderFrameLike } from './sender.js';
