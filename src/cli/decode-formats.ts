/** What `wwan decode --as` reads, apart from the decoders so that building the command line loads none. */
export const DECODE_FORMATS = ['qmux', 'mbim', 'qmap', 'qmimux', 'bam-dmux', 'ntb', 'sms'] as const;
export type DecodeFormat = (typeof DECODE_FORMATS)[number];
