/*
 * The libqmi anchor for bench/qmi.bench.ts: times libqmi-glib building and parsing the very frames our
 * codec is timed on, given as hex arguments, and prints one JSON line per figure.
 *
 *   libqmi ms start-network-request-hex get-current-settings-response-hex
 *
 * build: qmi_message_new + TLV writes of APN (0x14) and IP family (0x19), as libqmi's generated
 *        request builder does; checked byte for byte against the given frame.
 * parse: qmi_message_new_from_raw + TLV reads of both, as libqmi's generated parser does.
 * printable: qmi_message_new_from_raw + qmi_message_get_printable_full (what qmicli --verbose shows).
 */
#include <libqmi-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static GByteArray *from_hex(const char *hex) {
  size_t n = strlen(hex) / 2;
  GByteArray *a = g_byte_array_sized_new(n);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    guint8 b = (guint8)v;
    g_byte_array_append(a, &b, 1);
  }
  return a;
}

static volatile gsize sink;

static QmiMessage *build_start_network(void) {
  GError *error = NULL;
  QmiMessage *m = qmi_message_new(QMI_SERVICE_WDS, 1, 1, 0x0020 /* Start Network */);
  gsize tlv = qmi_message_tlv_write_init(m, 0x19, &error);
  qmi_message_tlv_write_guint8(m, 4, &error);
  qmi_message_tlv_write_complete(m, tlv, &error);
  tlv = qmi_message_tlv_write_init(m, 0x14, &error);
  qmi_message_tlv_write_string(m, 0, "internet", -1, &error);
  qmi_message_tlv_write_complete(m, tlv, &error);
  if (error) {
    fprintf(stderr, "build: %s\n", error->message);
    exit(1);
  }
  return m;
}

static QmiMessage *parse(const GByteArray *frame) {
  GError *error = NULL;
  GByteArray *raw = g_byte_array_sized_new(frame->len);
  g_byte_array_append(raw, frame->data, frame->len);
  QmiMessage *m = qmi_message_new_from_raw(raw, &error);
  g_byte_array_unref(raw);
  if (!m) {
    fprintf(stderr, "parse: %s\n", error->message);
    exit(1);
  }
  return m;
}

static void parse_start_network(const GByteArray *frame) {
  GError *error = NULL;
  QmiMessage *m = parse(frame);
  gsize offset = 0;
  gchar *apn = NULL;
  guint8 family = 0;
  gsize tlv = qmi_message_tlv_read_init(m, 0x14, NULL, &error);
  if (tlv && qmi_message_tlv_read_string(m, tlv, &offset, 0, 0, &apn, &error)) sink += strlen(apn);
  offset = 0;
  tlv = qmi_message_tlv_read_init(m, 0x19, NULL, &error);
  if (tlv && qmi_message_tlv_read_guint8(m, tlv, &offset, &family, &error)) sink += family;
  if (error || !apn) {
    fprintf(stderr, "parse: %s\n", error ? error->message : "no APN");
    exit(1);
  }
  g_free(apn);
  qmi_message_unref(m);
}

static void printable(const GByteArray *frame) {
  QmiMessage *m = parse(frame);
  gchar *text = qmi_message_get_printable_full(m, NULL, "");
  sink += strlen(text);
  g_free(text);
  qmi_message_unref(m);
}

static void report(const char *name, double ms, void (*op)(const GByteArray *), const GByteArray *frame) {
  double end = now_ms() + ms / 4;
  while (now_ms() < end) op(frame);
  long ops = 0;
  double start = now_ms(), t = start;
  while (t < start + ms) {
    for (int i = 0; i < 64; i++) op(frame);
    ops += 64;
    t = now_ms();
  }
  printf("{\"name\":\"%s\",\"opsPerSec\":%.0f,\"bytes\":%u}\n", name, ops * 1000.0 / (t - start), frame->len);
}

static void build_op(const GByteArray *frame) {
  (void)frame;
  QmiMessage *m = build_start_network();
  sink += ((GByteArray *)m)->len;
  qmi_message_unref(m);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s ms start-network-request-hex get-current-settings-response-hex\n", argv[0]);
    return 2;
  }
  double ms = atof(argv[1]);
  GByteArray *start = from_hex(argv[2]);
  GByteArray *settings = from_hex(argv[3]);
  // The frame we time must be the one libqmi builds, else the figures compare different work.
  QmiMessage *built = build_start_network();
  if (((GByteArray *)built)->len != start->len || memcmp(((GByteArray *)built)->data, start->data, start->len) != 0) {
    fprintf(stderr, "libqmi builds a different Start Network request than ours\n");
    return 1;
  }
  qmi_message_unref(built);
  report("build.wds.startNetwork", ms, build_op, start);
  report("parse.wds.startNetwork", ms, parse_start_network, start);
  report("printable.wds.startNetwork", ms, printable, start);
  report("printable.wds.getCurrentSettings", ms, printable, settings);
  return 0;
}
