// What the claim screen hands its parts.
import type { CitedReason } from '../../api';

/** Runs one claim action (one at a time; STALE reloads and says so; success reloads). */
export type Act = (name: string, fn: () => Promise<unknown>, doneMessage?: string) => Promise<boolean>;

/** A reason code in words, from the active policy's catalog (or the reason the claim cites). */
export type ReasonLabel = (code: string | null | undefined, cited?: CitedReason | null) => string;
