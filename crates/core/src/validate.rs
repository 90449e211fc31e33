//! Field rules shared by intake and the policy: phone numbers, business
//! registration numbers, amounts and times as claimants write them.
