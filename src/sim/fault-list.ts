/** The simulator's faults by name, apart from their code so that `wwan --help` loads no codec to list them. */

/** Every fault, with what it does; `wwan sim ctl --help` prints these. */
export const FAULTS: Record<string, string> = {
  'drop-responses': 'drop the next N responses to the host (count, default all until cleared with count=0)',
  'delay-responses': 'delay every response to the host by ms (0 clears)',
  reset: 'reset the modem: sessions drop, client ids are forgotten, socket clients are disconnected',
  disconnect: 'network-initiated disconnect of one session (handle) or all',
  'signal-loss': 'lose coverage: registration searching, sessions drop (on=false recovers)',
  'malformed-control': 'send garbage and a lying QMUX (or MBIM) header to every control client',
  'malformed-data': 'send a truncated, lying transfer on the data pipe',
  'indication-storm': 'send N serving-system indications (MBIM: signal-state notifications) at once (count, default 1000)',
  'flow-control': 'QMAP FLOW_DISABLE (enable=false) or FLOW_ENABLE for a mux id (mux)',
  'bam-channel': 'BAM-DMUX: the modem closes (open=false) or opens a channel (channel)',
  'dss-stall': 'MBIM: every DSS stream stops sending to the host (on=false resumes)',
  'sim-slot': 'make another SIM slot the active one (slot): the calls drop, hosts hear the slot status',
  'sim-power': 'power the card in a slot off (on=false: on the active slot, as if removed) or on (slot)',
  'sim-refresh': "the active card's REFRESH: files changed over the air (files=3F00/7FFF/6F46,…) or mode=reset",
};
