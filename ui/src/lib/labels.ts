// Option lists for the filter controls, in the order the core defines the codes.

import type { ClaimAction, ClaimStatus, DueState, Remedy } from './bindings';

/** Every status of the core, in its order (a new one fails svelte-check here until it is listed). */
const STATUS_SET: Record<ClaimStatus, true> = {
  new: true, triaged: true, in_review: true, needs_info: true, recommended: true, batched: true, approved: true,
  paid: true, fulfilled: true, closed_denied: true, closed_no_damage: true, conflict: true,
};
export const STATUSES = Object.keys(STATUS_SET) as ClaimStatus[];
export const CATEGORIES = ['free_user', 'paid_subscriber', 'taxi_driver', 'designated_driver', 'small_business', 'advertiser', 'other'];
/** Every remedy of the core, in its order (a new one fails svelte-check here until it is listed). */
const REMEDY_SET: Record<Remedy, true> = {
  voucher: true, extension: true, cash: true, manual_review: true, none: true, points: true, message_credit: true, fee_waiver: true,
};
export const REMEDIES = Object.keys(REMEDY_SET) as Remedy[];
/** What a claim can be given (core::grant): every remedy but manual_review and none. */
export const GRANT_KINDS: Remedy[] = REMEDIES.filter((r) => r !== 'manual_review' && r !== 'none');
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const ROLES = ['reviewer', 'supervisor', 'admin'];
export const DEFAULT_SERVICES = ['kakaotalk', 'talk_drawer', 'talk_channel', 'kakao_gift', 'kakao_t', 'kakao_pay', 'kakao_map', 'kakao_webtoon', 'melon', 'daum_mail', 'kakao_moment'];

/** Every claim action of the core (a new one fails svelte-check here until it is listed, and the i18n test until it has a label). */
const ACTION_SET: Record<ClaimAction, true> = {
  triage: true, take: true, release: true, request_info: true, info_received: true, recommend: true, add_note: true,
  withdraw_note: true, annotate: true, add_evidence: true, reveal_personal_data: true, update: true, lease: true,
  release_lease: true, add_to_batch: true, remove_from_batch: true, return_to_reviewer: true, approve: true,
  reserve_payout: true, release_payout: true, mark_paid: true, resolve_conflict: true, set_report_type: true,
  close_no_damage: true, reopen: true, notify: true, check_document: true, expire: true,
  reserve_fulfilment: true, release_fulfilment: true, mark_fulfilled: true,
};
export const CLAIM_ACTIONS = Object.keys(ACTION_SET) as ClaimAction[];

/** Where a request for information stands against its due date (the cure clock), in the core's order; labels: dueState.<state>. */
const DUE_STATE_SET: Record<DueState, true> = { open: true, reminder_due: true, overdue: true };
export const DUE_STATES = Object.keys(DUE_STATE_SET) as DueState[];

/** The label key of an op kind: `claim.take` is the action `take`. */
export function opKindAction(kind: string): string {
  return kind.startsWith('claim.') ? kind.slice('claim.'.length) : kind;
}
