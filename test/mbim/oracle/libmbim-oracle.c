/*
 * libmbim as an independent oracle for the MBIMEx layouts the interpreted codec never had.
 *   libmbim-oracle <cid>.<response|notification>   each stdin line: an information buffer in hex. The buffer
 *       is wrapped in a command-done (or indicate-status) message and given to libmbim's own *_parse; the
 *       line printed is the fields it read, as tokens, or "! <error>" when it refuses.
 *   libmbim-oracle <cid>.<query|set>               each stdin line: the field values as tokens. They go to
 *       libmbim's own *_query_new / *_set_new; the line printed is "<service uuid> <cid> <query|set> <hex of
 *       the information buffer>".
 * Tokens, separated by single spaces, in the order of our declaration (the test flattens our values the
 * same way): integers in decimal, "s<hex of UTF-8>" for a string, "x<hex>" for bytes, a UUID printed,
 * an array as its count then its elements, an ms-struct as "-" (absent) or "+" then its fields.
 */
#include <libmbim-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output tokens */
static gboolean first = TRUE;
static void sep(void) { if (!first) putchar(' '); first = FALSE; }
static void pu(guint32 v) { sep(); printf("%u", v); } /* enums are ints: 0x80000000 must not sign-extend */
static void pl(guint64 v) { sep(); printf("%" G_GUINT64_FORMAT, v); }
static void pi(gint32 v) { sep(); printf("%d", v); }
static void phex(char tag, const guint8 *p, gsize n) { sep(); putchar(tag); for (gsize i = 0; i < n; i++) printf("%02x", p[i]); }
static void ps(const gchar *s) { phex('s', (const guint8 *)(s ? s : ""), s ? strlen(s) : 0); }
static void puuid(const MbimUuid *u) { gchar *s = mbim_uuid_get_printable(u); sep(); fputs(s, stdout); g_free(s); }
static void pms(gconstpointer p) { sep(); putchar(p ? '+' : '-'); }

/* ---- input tokens */
static char *rest;
static char *next_token(void) { char *t = strsep(&rest, " "); if (!t) { fputs("missing token\n", stderr); exit(3); } return t; }
static guint32 tu(void) { return (guint32)strtoull(next_token(), NULL, 10); }
static guint8 *thex(char tag, gsize *n) {
  const char *t = next_token();
  if (*t != tag) { fprintf(stderr, "want a %c token, got %s\n", tag, t); exit(3); }
  *n = strlen(++t) / 2;
  guint8 *b = g_malloc0(*n + 1); /* NUL-terminated: a string token is used as a C string */
  for (gsize i = 0; i < *n; i++) sscanf(t + 2 * i, "%2hhx", &b[i]);
  return b;
}
static gchar *ts(void) { gsize n; return (gchar *)thex('s', &n); }
static MbimUuid tuuid(void) { MbimUuid u; if (!mbim_uuid_from_printable(next_token(), &u)) exit(3); return u; }

/* A TLV list from its raw bytes: type u16, reserved u8, padding length u8, data length u32, data, padding. */
static GList *tlv_list(const guint8 *b, gsize n) {
  GList *l = NULL;
  for (gsize o = 0; o + 8 <= n;) {
    guint32 len = b[o + 4] | b[o + 5] << 8 | b[o + 6] << 16 | (guint32)b[o + 7] << 24;
    l = g_list_append(l, mbim_tlv_new((MbimTlvType)(b[o] | b[o + 1] << 8), b + o + 8, len));
    o += 8 + len + b[o + 3];
  }
  return l;
}
static void ptlvs(GList *l) {
  GByteArray *all = g_byte_array_new();
  for (; l; l = l->next) { guint32 n; const guint8 *r = mbim_tlv_get_raw(l->data, &n, NULL); g_byte_array_append(all, r, n); }
  phex('x', all->data, all->len);
  g_byte_array_unref(all);
}

/* ---- parsers: one per response/notification layout */
typedef gboolean (*Parse)(MbimMessage *m, GError **e);

static gboolean ip_packet_filters(MbimMessage *m, GError **e) {
  guint32 session, count; MbimPacketFilterArray *f;
  if (!mbim_message_ip_packet_filters_response_parse(m, &session, &count, &f, e)) return FALSE;
  pu(session); pu(count);
  for (guint32 i = 0; i < count; i++) { phex('x', f[i]->packet_filter, f[i]->filter_size); phex('x', f[i]->packet_mask, f[i]->filter_size); }
  mbim_packet_filter_array_free(f);
  return TRUE;
}
static gboolean ip_packet_filters_v3(MbimMessage *m, GError **e) {
  guint32 session, count; MbimPacketFilterV3Array *f;
  if (!mbim_message_ms_basic_connect_v3_ip_packet_filters_response_parse(m, &session, &count, &f, e)) return FALSE;
  pu(session); pu(count);
  for (guint32 i = 0; i < count; i++) { phex('x', f[i]->packet_filter, f[i]->filter_size); phex('x', f[i]->packet_mask, f[i]->filter_size); pu(f[i]->filter_id); }
  mbim_packet_filter_v3_array_free(f);
  return TRUE;
}

#define REGISTER_STATE_V2(fn)                                                                                                  \
  static gboolean fn(MbimMessage *m, GError **e) {                                                                             \
    MbimNwError nw; MbimRegisterState state; MbimRegisterMode mode; MbimDataClass avail, preferred; MbimCellularClass cellular; \
    MbimRegistrationFlag flag; g_autofree gchar *id = NULL, *name = NULL, *roaming = NULL;                                     \
    if (!mbim_message_ms_basic_connect_v2_##fn##_parse(m, &nw, &state, &mode, &avail, &cellular, &id, &name, &roaming, &flag, &preferred, e)) \
      return FALSE;                                                                                                            \
    pu(nw); pu(state); pu(mode); pu(avail); pu(cellular); ps(id); ps(name); ps(roaming); pu(flag); pu(preferred);               \
    return TRUE;                                                                                                               \
  }
REGISTER_STATE_V2(register_state_response)
REGISTER_STATE_V2(register_state_notification)

#define PACKET_SERVICE_V2(fn)                                                                                     \
  static gboolean fn(MbimMessage *m, GError **e) {                                                                \
    guint32 nw; MbimPacketServiceState state; MbimDataClass cls; guint64 up, down; MbimFrequencyRange range;      \
    if (!mbim_message_ms_basic_connect_v2_##fn##_parse(m, &nw, &state, &cls, &up, &down, &range, e)) return FALSE; \
    pu(nw); pu(state); pu(cls); pl(up); pl(down); pu(range);                                                      \
    return TRUE;                                                                                                  \
  }
PACKET_SERVICE_V2(packet_service_response)
PACKET_SERVICE_V2(packet_service_notification)

#define SIGNAL_STATE_V2(fn)                                                                                                           \
  static gboolean fn(MbimMessage *m, GError **e) {                                                                                    \
    guint32 rssi, rate, interval, rssi_threshold, rate_threshold, count; MbimRsrpSnrInfoArray *rs;                                    \
    if (!mbim_message_ms_basic_connect_v2_##fn##_parse(m, &rssi, &rate, &interval, &rssi_threshold, &rate_threshold, &count, &rs, e)) \
      return FALSE;                                                                                                                   \
    pu(rssi); pu(rate); pu(interval); pu(rssi_threshold); pu(rate_threshold); pu(count);                                              \
    for (guint32 i = 0; i < count; i++) { pu(rs[i]->rsrp); pu(rs[i]->snr); pu(rs[i]->rsrp_threshold); pu(rs[i]->snr_threshold); pu(rs[i]->system_type); } \
    mbim_rsrp_snr_info_array_free(rs);                                                                                                \
    return TRUE;                                                                                                                      \
  }
SIGNAL_STATE_V2(signal_state_response)
SIGNAL_STATE_V2(signal_state_notification)

#define SUBSCRIBER_READY_STATUS_V3(fn)                                                                                        \
  static gboolean fn(MbimMessage *m, GError **e) {                                                                            \
    MbimSubscriberReadyState state; MbimSubscriberReadyStatusFlag flags; MbimReadyInfoFlag info; guint32 count;              \
    g_autofree gchar *subscriber = NULL, *iccid = NULL; g_auto(GStrv) numbers = NULL;                                         \
    if (!mbim_message_ms_basic_connect_v3_##fn##_parse(m, &state, &flags, &subscriber, &iccid, &info, &count, &numbers, e))    \
      return FALSE;                                                                                                           \
    pu(state); pu(flags); ps(subscriber); ps(iccid); pu(info); pu(count);                                                     \
    for (guint32 i = 0; i < count; i++) ps(numbers[i]);                                                                       \
    return TRUE;                                                                                                              \
  }
SUBSCRIBER_READY_STATUS_V3(subscriber_ready_status_response)
SUBSCRIBER_READY_STATUS_V3(subscriber_ready_status_notification)

#define PACKET_SERVICE_V3(fn)                                                                                                 \
  static gboolean fn##_v3(MbimMessage *m, GError **e) {                                                                       \
    guint32 nw; MbimPacketServiceState state; MbimDataClassV3 cls; guint64 up, down; MbimFrequencyRange range;                \
    MbimDataSubclass sub; g_autofree MbimTai *tai = NULL;                                                                     \
    if (!mbim_message_ms_basic_connect_v3_##fn##_parse(m, &nw, &state, &cls, &up, &down, &range, &sub, &tai, e)) return FALSE; \
    pu(nw); pu(state); pu(cls); pl(up); pl(down); pu(range); pu(sub); pu(tai->plmn_mcc); pu(tai->plmn_mnc); pu(tai->tac);      \
    return TRUE;                                                                                                              \
  }
PACKET_SERVICE_V3(packet_service_response)
PACKET_SERVICE_V3(packet_service_notification)

#define CONNECT_V3(fn)                                                                                                              \
  static gboolean fn(MbimMessage *m, GError **e) {                                                                                  \
    guint32 session, nw; MbimActivationState act; MbimVoiceCallState voice; MbimContextIpType ip; const MbimUuid *ctx;              \
    MbimAccessMediaType media; g_autofree gchar *apn = NULL; GList *ies = NULL;                                                     \
    if (!mbim_message_ms_basic_connect_v3_##fn##_parse(m, &session, &act, &voice, &ip, &ctx, &nw, &media, &apn, &ies, e)) return FALSE; \
    pu(session); pu(act); pu(voice); pu(ip); puuid(ctx); pu(nw); pu(media); ps(apn); ptlvs(ies);                                    \
    g_list_free_full(ies, (GDestroyNotify)mbim_tlv_unref);                                                                          \
    return TRUE;                                                                                                                    \
  }
CONNECT_V3(connect_response)
CONNECT_V3(connect_notification)

/* Cells, in the order of their fields */
static void gsm_serving(const MbimCellInfoServingGsm *c) {
  pms(c); if (c) { ps(c->provider_id); pu(c->location_area_code); pu(c->cell_id); pu(c->timing_advance); pu(c->arfcn); pu(c->base_station_id); pu(c->rx_level); }
}
static void umts_serving(const MbimCellInfoServingUmts *c) {
  pms(c);
  if (c) { ps(c->provider_id); pu(c->location_area_code); pu(c->cell_id); pu(c->frequency_info_ul); pu(c->frequency_info_dl); pu(c->frequency_info_nt); pu(c->uarfcn); pu(c->primary_scrambling_code); pi(c->rscp); pi(c->ecno); pu(c->path_loss); }
}
static void tdscdma(gconstpointer p, gboolean optional) {
  const MbimCellInfoServingTdscdma *c = p; /* the neighbouring TD-SCDMA cell has the same fields */
  if (optional) pms(c);
  if (c) { ps(c->provider_id); pu(c->location_area_code); pu(c->cell_id); pu(c->uarfcn); pu(c->cell_parameter_id); pu(c->timing_advance); pi(c->rscp); pu(c->path_loss); }
}
static void lte_serving(const MbimCellInfoServingLte *c) {
  pms(c); if (c) { ps(c->provider_id); pu(c->cell_id); pu(c->earfcn); pu(c->physical_cell_id); pu(c->tac); pi(c->rsrp); pi(c->rsrq); pu(c->timing_advance); }
}
static void cells(guint32 gn, MbimCellInfoNeighboringGsm **g, guint32 un, MbimCellInfoNeighboringUmts **u, guint32 tn, MbimCellInfoNeighboringTdscdma **t,
                  guint32 ln, MbimCellInfoNeighboringLte **l, guint32 cn, MbimCellInfoCdma **c) {
  pu(gn); for (guint32 i = 0; i < gn; i++) { ps(g[i]->provider_id); pu(g[i]->location_area_code); pu(g[i]->cell_id); pu(g[i]->arfcn); pu(g[i]->base_station_id); pu(g[i]->rx_level); }
  pu(un); for (guint32 i = 0; i < un; i++) { ps(u[i]->provider_id); pu(u[i]->location_area_code); pu(u[i]->cell_id); pu(u[i]->uarfcn); pu(u[i]->primary_scrambling_code); pi(u[i]->rscp); pi(u[i]->ecno); pu(u[i]->path_loss); }
  pu(tn); for (guint32 i = 0; i < tn; i++) tdscdma(t[i], FALSE);
  pu(ln); for (guint32 i = 0; i < ln; i++) { ps(l[i]->provider_id); pu(l[i]->cell_id); pu(l[i]->earfcn); pu(l[i]->physical_cell_id); pu(l[i]->tac); pi(l[i]->rsrp); pi(l[i]->rsrq); }
  pu(cn); for (guint32 i = 0; i < cn; i++) { pu(c[i]->serving_cell_flag); pu(c[i]->nid); pu(c[i]->sid); pu(c[i]->base_station_id); pu(c[i]->base_latitude); pu(c[i]->base_longitude); pu(c[i]->ref_pn); pu(c[i]->gps_seconds); pu(c[i]->pilot_strength); }
}
#define CELL_OUTS                                                                                                                          \
  MbimCellInfoServingGsm *gs; MbimCellInfoServingUmts *us; MbimCellInfoServingTdscdma *ts_; MbimCellInfoServingLte *ls;                    \
  guint32 gn, un, tn, ln, cn; MbimCellInfoNeighboringGsmArray *g; MbimCellInfoNeighboringUmtsArray *u; MbimCellInfoNeighboringTdscdmaArray *t; \
  MbimCellInfoNeighboringLteArray *l; MbimCellInfoCdmaArray *c;
#define CELL_ARGS &gs, &us, &ts_, &ls, &gn, &g, &un, &u, &tn, &t, &ln, &l, &cn, &c
#define CELL_PRINT gsm_serving(gs); umts_serving(us); tdscdma(ts_, TRUE); lte_serving(ls); cells(gn, g, un, u, tn, t, ln, l, cn, c)

static void pu16s(guint32 n, const guint16 *a) { pu(n); for (guint32 i = 0; i < n; i++) pu(a[i]); }
static gboolean device_caps_v3(MbimMessage *m, GError **e) {
  MbimDeviceType type; MbimCellularClass cellular; MbimVoiceClass voice; MbimSimClass sim; MbimDataClassV3 data; MbimSmsCaps sms; MbimCtrlCaps ctrl;
  guint64 sub = 0; /* 1.28 writes only its low 32 bits (the public format, MbimDataSubclass, is a 32-bit flags type) */
  guint32 sessions, executor, wcdma, nlte, nnr; g_autofree guint16 *lte = NULL, *nr = NULL;
  g_autofree gchar *custom = NULL, *id = NULL, *fw = NULL, *hw = NULL;
  if (!mbim_message_ms_basic_connect_extensions_v3_device_caps_response_parse(m, &type, &cellular, &voice, &sim, &data, &sms, &ctrl, &sub, &sessions, &executor,
        &wcdma, &nlte, &lte, &nnr, &nr, &custom, &id, &fw, &hw, e))
    return FALSE;
  pu(type); pu(cellular); pu(voice); pu(sim); pu(data); pu(sms); pu(ctrl); pl(sub); pu(sessions); pu(executor); pu(wcdma);
  pu16s(nlte, lte); pu16s(nnr, nr); ps(custom); ps(id); ps(fw); ps(hw);
  return TRUE;
}
static gboolean base_stations_info(MbimMessage *m, GError **e) {
  MbimDataClass system; CELL_OUTS
  if (!mbim_message_ms_basic_connect_extensions_base_stations_info_response_parse(m, &system, CELL_ARGS, e)) return FALSE;
  pu(system); CELL_PRINT;
  return TRUE;
}
static gboolean base_stations_info_v3(MbimMessage *m, GError **e) {
  MbimDataClassV3 system; MbimDataSubclass sub; guint32 nsn, nnn; MbimCellInfoServingNrArray *ns; MbimCellInfoNeighboringNrArray *nn; CELL_OUTS
  if (!mbim_message_ms_basic_connect_extensions_v3_base_stations_info_response_parse(m, &system, &sub, CELL_ARGS, &nsn, &ns, &nnn, &nn, e)) return FALSE;
  pu(system); pu(sub); CELL_PRINT;
  pu(nsn); for (guint32 i = 0; i < nsn; i++) { ps(ns[i]->provider_id); pl(ns[i]->nci); pu(ns[i]->physical_cell_id); pu(ns[i]->nrarfcn); pu(ns[i]->tac); pu(ns[i]->rsrp); pu(ns[i]->rsrq); pu(ns[i]->sinr); pl(ns[i]->timing_advance); }
  pu(nnn); for (guint32 i = 0; i < nnn; i++) { pu(nn[i]->system_sub_type); ps(nn[i]->provider_id); ps(nn[i]->cell_id); pu(nn[i]->physical_cell_id); pu(nn[i]->tac); pu(nn[i]->rsrp); pu(nn[i]->rsrq); pu(nn[i]->sinr); }
  return TRUE;
}

/* The names libmbim gives the V3 system type and subtypes (its public formats), each as a string token. */
static gboolean base_stations_info_v3_names(MbimMessage *m, GError **e) {
  MbimDataClassV3 system; MbimDataSubclass sub; guint32 nsn, nnn; MbimCellInfoServingNrArray *ns; MbimCellInfoNeighboringNrArray *nn; CELL_OUTS
  if (!mbim_message_ms_basic_connect_extensions_v3_base_stations_info_response_parse(m, &system, &sub, CELL_ARGS, &nsn, &ns, &nnn, &nn, e)) return FALSE;
  g_autofree gchar *system_names = mbim_data_class_v3_build_string_from_mask(system), *sub_names = mbim_data_subclass_build_string_from_mask(sub);
  ps(system_names); ps(sub_names);
  for (guint32 i = 0; i < nnn; i++) { g_autofree gchar *n = mbim_data_subclass_build_string_from_mask(nn[i]->system_sub_type); ps(n); }
  return TRUE;
}

/* ---- builders: one per query/set layout; MBIMEx 2.0/3.0 kept MBIM 1.0's where libmbim declares none */
typedef MbimMessage *(*Build)(GError **e);

static MbimMessage *empty_register_state(GError **e) { return mbim_message_register_state_query_new(e); }
static MbimMessage *empty_packet_service(GError **e) { return mbim_message_packet_service_query_new(e); }
static MbimMessage *empty_signal_state(GError **e) { return mbim_message_signal_state_query_new(e); }
static MbimMessage *empty_subscriber_ready_status(GError **e) { return mbim_message_subscriber_ready_status_query_new(e); }
/* MBIMEx 3.0 kept Device Caps' query: libmbim's v1 builder. */
static MbimMessage *empty_device_caps(GError **e) { return mbim_message_ms_basic_connect_extensions_device_caps_query_new(e); }
static MbimMessage *register_state_set(GError **e) { g_autofree gchar *id = ts(); guint32 action = tu(); return mbim_message_register_state_set_new(id, action, tu(), e); }
static MbimMessage *packet_service_set(GError **e) { return mbim_message_packet_service_set_new(tu(), e); }
static MbimMessage *signal_state_set(GError **e) { guint32 interval = tu(), rssi = tu(); return mbim_message_signal_state_set_new(interval, rssi, tu(), e); }
static MbimMessage *connect_v3_query(GError **e) { return mbim_message_ms_basic_connect_v3_connect_query_new(tu(), e); }
static MbimMessage *connect_v3_set(GError **e) {
  guint32 session = tu(), act = tu(), comp = tu(), auth = tu(), ip = tu(); MbimUuid ctx = tuuid(); guint32 media = tu();
  g_autofree gchar *apn = ts(), *user = ts(), *password = ts(); gsize n; g_autofree guint8 *raw = thex('x', &n);
  GList *ies = tlv_list(raw, n);
  MbimMessage *m = mbim_message_ms_basic_connect_v3_connect_set_new(session, act, comp, auth, ip, &ctx, media, apn, user, password, ies, e);
  g_list_free_full(ies, (GDestroyNotify)mbim_tlv_unref);
  return m;
}
/* Packet filters, v1 and v3 (v3 adds a filter id): session, count, then each filter, its mask (and id) */
static MbimMessage *packet_filters(gboolean v3, gboolean set, GError **e) {
  guint32 session = tu(), count = tu();
  MbimPacketFilterV3 *f = g_new0(MbimPacketFilterV3, count);
  MbimPacketFilterV3 **fv3 = g_new0(MbimPacketFilterV3 *, count + 1);
  MbimPacketFilter *f1 = g_new0(MbimPacketFilter, count);
  MbimPacketFilter **fv1 = g_new0(MbimPacketFilter *, count + 1);
  for (guint32 i = 0; i < count; i++) {
    gsize n, mn;
    f[i].packet_filter = thex('x', &n); f[i].packet_mask = thex('x', &mn); f[i].filter_size = n;
    if (v3) f[i].filter_id = tu();
    f1[i] = (MbimPacketFilter){ n, f[i].packet_filter, f[i].packet_mask };
    fv3[i] = &f[i]; fv1[i] = &f1[i];
  }
  MbimMessage *m = v3 ? (set ? mbim_message_ms_basic_connect_v3_ip_packet_filters_set_new : mbim_message_ms_basic_connect_v3_ip_packet_filters_query_new)(session, count, (const MbimPacketFilterV3 *const *)fv3, e)
                      : (set ? mbim_message_ip_packet_filters_set_new : mbim_message_ip_packet_filters_query_new)(session, count, (const MbimPacketFilter *const *)fv1, e);
  for (guint32 i = 0; i < count; i++) { g_free(f[i].packet_filter); g_free(f[i].packet_mask); }
  g_free(f); g_free(fv3); g_free(f1); g_free(fv1);
  return m;
}
static MbimMessage *packet_filters_query(GError **e) { return packet_filters(FALSE, FALSE, e); }
static MbimMessage *packet_filters_set(GError **e) { return packet_filters(FALSE, TRUE, e); }
static MbimMessage *packet_filters_v3_query(GError **e) { return packet_filters(TRUE, FALSE, e); }
static MbimMessage *packet_filters_v3_set(GError **e) { return packet_filters(TRUE, TRUE, e); }
static MbimMessage *base_stations_query(GError **e) {
  guint32 gsm = tu(), umts = tu(), tdscdma_ = tu(), lte = tu();
  return mbim_message_ms_basic_connect_extensions_base_stations_info_query_new(gsm, umts, tdscdma_, lte, tu(), e);
}
static MbimMessage *base_stations_v3_query(GError **e) {
  guint32 gsm = tu(), umts = tu(), tdscdma_ = tu(), lte = tu(), cdma = tu();
  return mbim_message_ms_basic_connect_extensions_v3_base_stations_info_query_new(gsm, umts, tdscdma_, lte, cdma, tu(), e);
}

static const struct { const char *kind; MbimService service; guint32 cid; Parse parse; Build build; } kinds[] = {
  { "ipPacketFilters.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, NULL, packet_filters_query },
  { "ipPacketFilters.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, NULL, packet_filters_set },
  { "ipPacketFilters.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, ip_packet_filters, NULL },
  { "registerStateV2.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_REGISTER_STATE, NULL, empty_register_state },
  { "registerStateV2.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_REGISTER_STATE, NULL, register_state_set },
  { "registerStateV2.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_REGISTER_STATE, register_state_response, NULL },
  { "registerStateV2.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_REGISTER_STATE, register_state_notification, NULL },
  { "packetServiceV2.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, NULL, empty_packet_service },
  { "packetServiceV2.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, NULL, packet_service_set },
  { "packetServiceV2.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, packet_service_response, NULL },
  { "packetServiceV2.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, packet_service_notification, NULL },
  { "signalStateV2.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SIGNAL_STATE, NULL, empty_signal_state },
  { "signalStateV2.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SIGNAL_STATE, NULL, signal_state_set },
  { "signalStateV2.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SIGNAL_STATE, signal_state_response, NULL },
  { "signalStateV2.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SIGNAL_STATE, signal_state_notification, NULL },
  { "subscriberReadyStatusV3.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS, NULL, empty_subscriber_ready_status },
  { "subscriberReadyStatusV3.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS, subscriber_ready_status_response, NULL },
  { "subscriberReadyStatusV3.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS, subscriber_ready_status_notification, NULL },
  { "packetServiceV3.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, NULL, empty_packet_service },
  { "packetServiceV3.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, NULL, packet_service_set },
  { "packetServiceV3.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, packet_service_response_v3, NULL },
  { "packetServiceV3.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, packet_service_notification_v3, NULL },
  { "connectV3.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, NULL, connect_v3_query },
  { "connectV3.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, NULL, connect_v3_set },
  { "connectV3.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, connect_response, NULL },
  { "connectV3.notification", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, connect_notification, NULL },
  { "ipPacketFiltersV3.query", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, NULL, packet_filters_v3_query },
  { "ipPacketFiltersV3.set", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, NULL, packet_filters_v3_set },
  { "ipPacketFiltersV3.response", MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_PACKET_FILTERS, ip_packet_filters_v3, NULL },
  { "baseStationsInfo.query", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_BASE_STATIONS_INFO, NULL, base_stations_query },
  { "baseStationsInfo.response", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_BASE_STATIONS_INFO, base_stations_info, NULL },
  { "baseStationsInfoV3.query", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_BASE_STATIONS_INFO, NULL, base_stations_v3_query },
  { "baseStationsInfoV3.response", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_BASE_STATIONS_INFO, base_stations_info_v3, NULL },
  { "deviceCapsV3.query", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_DEVICE_CAPS, NULL, empty_device_caps },
  { "deviceCapsV3.response", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_DEVICE_CAPS, device_caps_v3, NULL },
  { "baseStationsInfoV3.names", MBIM_SERVICE_MS_BASIC_CONNECT_EXTENSIONS, MBIM_CID_MS_BASIC_CONNECT_EXTENSIONS_BASE_STATIONS_INFO, base_stations_info_v3_names, NULL },
};

static void put32(guint8 *p, guint32 v) { for (int b = 0; b < 4; b++) p[b] = (v >> (8 * b)) & 0xff; }

/* The information buffer in a command-done message (status 0), or an indicate-status one. */
static MbimMessage *wrap(MbimService service, guint32 cid, gboolean indication, const char *hex) {
  gsize n = strlen(hex) / 2, head = indication ? 44 : 48;
  guint8 *msg = g_malloc0(head + n);
  put32(msg, indication ? MBIM_MESSAGE_TYPE_INDICATE_STATUS : MBIM_MESSAGE_TYPE_COMMAND_DONE);
  put32(msg + 4, head + n); put32(msg + 8, 1); put32(msg + 12, 1); put32(msg + 16, 0);
  memcpy(msg + 20, mbim_uuid_from_service(service), 16);
  put32(msg + 36, cid); put32(msg + head - 4, n);
  for (gsize i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &msg[head + i]);
  MbimMessage *m = mbim_message_new(msg, head + n);
  g_free(msg);
  return m;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  gsize k = 0;
  while (k < G_N_ELEMENTS(kinds) && strcmp(kinds[k].kind, argv[1])) k++;
  if (k == G_N_ELEMENTS(kinds)) { fprintf(stderr, "unknown kind %s\n", argv[1]); return 2; }
  char *line = NULL; size_t cap = 0; ssize_t len;
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    if (len && line[len - 1] == '\n') line[--len] = 0;
    GError *error = NULL;
    first = TRUE;
    if (kinds[k].parse) {
      MbimMessage *m = wrap(kinds[k].service, kinds[k].cid, g_str_has_suffix(kinds[k].kind, ".notification"), line);
      if (!kinds[k].parse(m, &error)) printf("! %s", error->message);
      mbim_message_unref(m);
    } else {
      rest = len ? line : NULL;
      MbimMessage *m = kinds[k].build(&error);
      if (!m) printf("! %s", error->message);
      else {
        guint32 n; const guint8 *buf = mbim_message_command_get_raw_information_buffer(m, &n);
        puuid(mbim_message_command_get_service_id(m)); pu(mbim_message_command_get_cid(m));
        sep(); fputs(mbim_message_command_get_command_type(m) == MBIM_MESSAGE_COMMAND_TYPE_SET ? "set" : "query", stdout);
        phex('x', buf, n);
        mbim_message_unref(m);
      }
    }
    g_clear_error(&error);
    putchar('\n');
  }
  free(line);
  return 0;
}
