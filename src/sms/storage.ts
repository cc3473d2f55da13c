/** Where a stored short message lives, by ModemManager's names: the SIM (sm) or the modem's own memory (me). */
export type SmsStorage = 'sm' | 'me';
/** A stored message's status tag (3GPP TS 27.005 <stat>). */
export type SmsTag = 'unread' | 'read' | 'sent' | 'unsent';
