// Option lists for the filter controls, in the order the core defines the codes.

export const STATUSES = ['new', 'triaged', 'in_review', 'needs_info', 'recommended', 'batched', 'approved', 'paid', 'closed_denied', 'conflict'];
export const CATEGORIES = ['free_user', 'paid_subscriber', 'taxi_driver', 'designated_driver', 'small_business', 'advertiser', 'other'];
export const REMEDIES = ['voucher', 'extension', 'cash', 'manual_review', 'none'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const ROLES = ['reviewer', 'supervisor', 'admin'];
export const DEFAULT_SERVICES = ['kakaotalk', 'talk_drawer', 'talk_channel', 'kakao_gift', 'kakao_t', 'kakao_pay', 'kakao_map', 'kakao_webtoon', 'melon', 'daum_mail', 'kakao_moment'];
