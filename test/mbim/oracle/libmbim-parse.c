/*
 * libmbim as an independent oracle for the MBIMEx 2.0/3.0 Basic Connect layouts the interpreted codec never
 * had: wraps a hex information buffer in a Basic Connect command-done message for the given CID and
 * prints, as one JSON line, the fields libmbim's own parser reads from it ({"error": "..."} when it refuses).
 *   libmbim-parse register-state-v2|packet-service-v2|signal-state-v2|packet-service-v3 <hex>
 */
#include <libmbim-glib.h>
#include <stdio.h>
#include <string.h>

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  const char *kind = argv[1], *hex = argv[2];
  size_t n = strlen(hex) / 2;
  gboolean v3 = !strcmp(kind, "packet-service-v3");
  guint32 cid = v3 ? MBIM_CID_BASIC_CONNECT_PACKET_SERVICE : !strcmp(kind, "register-state-v2") ? MBIM_CID_BASIC_CONNECT_REGISTER_STATE : !strcmp(kind, "packet-service-v2") ? MBIM_CID_BASIC_CONNECT_PACKET_SERVICE
                : !strcmp(kind, "signal-state-v2") ? MBIM_CID_BASIC_CONNECT_SIGNAL_STATE : 0;
  if (!cid) return 2;
  guint8 *msg = g_malloc0(48 + n);
  guint32 head[] = {MBIM_MESSAGE_TYPE_COMMAND_DONE, (guint32)(48 + n), 1, 1, 0};
  for (int i = 0; i < 5; i++) for (int b = 0; b < 4; b++) msg[i * 4 + b] = (head[i] >> (8 * b)) & 0xff;
  memcpy(msg + 20, mbim_uuid_from_service(MBIM_SERVICE_BASIC_CONNECT), 16);
  guint32 tail[] = {cid, 0, (guint32)n};
  for (int i = 0; i < 3; i++) for (int b = 0; b < 4; b++) msg[36 + i * 4 + b] = (tail[i] >> (8 * b)) & 0xff;
  for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &msg[48 + i]);
  MbimMessage *m = mbim_message_new(msg, 48 + n);
  GError *error = NULL;
  if (cid == MBIM_CID_BASIC_CONNECT_REGISTER_STATE) {
    MbimNwError nw; MbimRegisterState state; MbimRegisterMode mode; MbimDataClass avail, preferred; MbimCellularClass cellular; MbimRegistrationFlag flag;
    gchar *id = NULL, *name = NULL, *roaming = NULL;
    if (mbim_message_ms_basic_connect_v2_register_state_response_parse(m, &nw, &state, &mode, &avail, &cellular, &id, &name, &roaming, &flag, &preferred, &error)) {
      printf("{\"nwError\":%u,\"registerState\":%u,\"registerMode\":%u,\"availableDataClasses\":%u,\"currentCellularClass\":%u,\"providerId\":", nw, state, mode, avail, cellular);
      json_string(id); printf(",\"providerName\":"); json_string(name); printf(",\"roamingText\":"); json_string(roaming);
      printf(",\"registrationFlag\":%u,\"preferredDataClasses\":%u}\n", flag, preferred);
    }
  } else if (cid == MBIM_CID_BASIC_CONNECT_SIGNAL_STATE) {
    guint32 rssi, rate, interval, rssiThreshold, rateThreshold, count;
    MbimRsrpSnrInfoArray *rs = NULL;
    if (mbim_message_ms_basic_connect_v2_signal_state_response_parse(m, &rssi, &rate, &interval, &rssiThreshold, &rateThreshold, &count, &rs, &error)) {
      printf("{\"rssi\":%u,\"errorRate\":%u,\"signalStrengthInterval\":%u,\"rssiThreshold\":%u,\"errorRateThreshold\":%u,\"rsrpSnr\":[", rssi, rate, interval, rssiThreshold, rateThreshold);
      for (guint32 i = 0; i < count; i++)
        printf("%s{\"rsrp\":%u,\"snr\":%u,\"rsrpThreshold\":%u,\"snrThreshold\":%u,\"systemType\":%u}", i ? "," : "", rs[i]->rsrp, rs[i]->snr, rs[i]->rsrp_threshold, rs[i]->snr_threshold, rs[i]->system_type);
      printf("]}\n");
    }
  } else if (v3) {
    guint32 nw; MbimPacketServiceState state; MbimDataClassV3 cls; guint64 up, down; MbimFrequencyRange range; MbimDataSubclass sub; MbimTai *tai = NULL;
    if (mbim_message_ms_basic_connect_v3_packet_service_response_parse(m, &nw, &state, &cls, &up, &down, &range, &sub, &tai, &error))
      printf("{\"nwError\":%u,\"packetServiceState\":%u,\"highestAvailableDataClassV3\":%u,\"uplinkSpeed\":\"%" G_GUINT64_FORMAT "\",\"downlinkSpeed\":\"%" G_GUINT64_FORMAT "\",\"frequencyRange\":%u,\"dataSubclass\":%u,\"tai\":{\"plmnMcc\":%u,\"plmnMnc\":%u,\"tac\":%u}}\n",
             nw, state, cls, up, down, range, sub, tai->plmn_mcc, tai->plmn_mnc, tai->tac);
  } else {
    guint32 nw; MbimPacketServiceState state; MbimDataClass cls; guint64 up, down; MbimFrequencyRange range;
    if (mbim_message_ms_basic_connect_v2_packet_service_response_parse(m, &nw, &state, &cls, &up, &down, &range, &error))
      printf("{\"nwError\":%u,\"packetServiceState\":%u,\"highestAvailableDataClass\":%u,\"uplinkSpeed\":\"%" G_GUINT64_FORMAT "\",\"downlinkSpeed\":\"%" G_GUINT64_FORMAT "\",\"frequencyRange\":%u}\n", nw, state, cls, up, down, range);
  }
  if (error) { printf("{\"error\":"); json_string(error->message); printf("}\n"); }
  return 0;
}
