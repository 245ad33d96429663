/* mqtt_paho — see mqtt_paho.h. */
#include "mqtt_paho.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void paho_answer_success(struct paho_answer *a, const MQTTAsync_successData *r)
{
	*a = (struct paho_answer){ .ok = true, .token = r ? r->token : 0, .s3 = r };
}

void paho_answer_failure(struct paho_answer *a, const MQTTAsync_failureData *r)
{
	*a = (struct paho_answer){ .token = r ? r->token : 0,
				   .code = r ? r->code : MQTTASYNC_FAILURE,
				   .message = r ? r->message : NULL };
}

void paho_answer_success5(struct paho_answer *a, const MQTTAsync_successData5 *r)
{
	*a = (struct paho_answer){ .ok = true, .v5 = true, .token = r ? r->token : 0,
				   .reason = r ? (int)r->reasonCode : 0, .s5 = r };
}

void paho_answer_failure5(struct paho_answer *a, const MQTTAsync_failureData5 *r)
{
	*a = (struct paho_answer){ .v5 = true, .token = r ? r->token : 0,
				   .code = r ? r->code : MQTTASYNC_FAILURE,
				   .reason = r ? (int)r->reasonCode : 0,
				   .message = r ? r->message : NULL };
}

bool paho_refused(const struct paho_answer *a, int *code)
{
	int c = a->v5 ? (a->reason >= 0x80 ? a->reason : 0)
		      : (!a->ok && a->code == MQTT_BAD_SUBSCRIBE ? MQTT_BAD_SUBSCRIBE : 0);
	if (c && code)
		*code = c;
	return c != 0;
}

int paho_suback(const struct paho_answer *a, size_t i, size_t n)
{
	int refused;
	if (!a->ok)
		return paho_refused(a, &refused) ? refused : MQTT_BAD_SUBSCRIBE;
	if (a->v5) {
		/* One filter: the answer is in reasonCode (alt.sub.reasonCodes is
		 * only filled, and only initialised, for two or more). */
		if (!a->s5)
			return MQTT_BAD_SUBSCRIBE;
		if (n == 1)
			return (int)a->s5->reasonCode;
		if (a->s5->alt.sub.reasonCodes && a->s5->alt.sub.reasonCodeCount > (int)i)
			return (int)a->s5->alt.sub.reasonCodes[i];
		return MQTT_BAD_SUBSCRIBE;
	}
	/* 3.1.1: a refusal can come as success with granted QoS 0x80. */
	if (!a->s3)
		return MQTT_BAD_SUBSCRIBE;
	if (n == 1)
		return a->s3->alt.qos;
	return a->s3->alt.qosList ? a->s3->alt.qosList[i] : MQTT_BAD_SUBSCRIBE;
}

const char *paho_failure_text(const struct paho_answer *a)
{
	if (a->message && *a->message)
		return a->message;
	const char *s = MQTTAsync_strerror(a->code);
	return s ? s : "unknown error";
}

int paho_connect_code(const struct paho_answer *a)
{
	/* MQTT 5: 1..5 is the broker answering with a 3.1.1 CONNACK (Aedes
	 * does, refusing the version it does not speak). */
	if (a->v5 && (a->reason >= 0x80 || (a->reason >= 1 && a->reason <= 5)))
		return a->reason;
	return a->code;
}

void paho_reason_code_text(int rc, char *buf, size_t size)
{
	const char *name = MQTTReasonCode_toString((enum MQTTReasonCodes)rc);
	snprintf(buf, size, "%s (0x%02x)", name ? name : "unknown reason", (unsigned)rc);
	buf[0] = (char)tolower((unsigned char)buf[0]);
}

static const char *connack_reason(int code)
{
	switch (code) {
	case 1:
		return "unacceptable protocol version";
	case 2:
		return "client identifier rejected";
	case 3:
		return "server unavailable";
	case 4:
		return "bad user name or password";
	case 5:
		return "not authorized";
	}
	return NULL;
}

void paho_describe_connect_failure(const struct paho_endpoint *e, int code, const char *message,
				   char *buf, size_t size)
{
	/* A broker without MQTT 5 answers our v5 CONNECT as the 3.1.1 spec
	 * says, CONNACK return code 1 (Paho passes it as code 1, "CONNACK
	 * return code"); an MQTT 5 broker that will not speak 5 says 0x84. */
	if (e->version >= 5 && (code == 1 || code == MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION)) {
		snprintf(buf, size,
			 "the broker %s does not speak MQTT 5 (it refused protocol version 5): "
			 "connect with -V 311",
			 e->where);
		return;
	}

	const char *what = NULL;
	/* 1..5 under MQTT 5: a 3.1.1 CONNACK (see paho_connect_code). */
	if (code > 0 && (e->version < 5 || code <= 5))
		what = connack_reason(code);
	else if (code >= 0x80 && e->version >= 5)
		what = MQTTReasonCode_toString((enum MQTTReasonCodes)code);
	if (what) {
		snprintf(buf, size, "broker %s refused the connection: %s", e->where, what);
		return;
	}

	if (message && strstr(message, "completion failure")) {
		/* The socket closed after CONNECT went out.  Some brokers
		 * without MQTT 5 close it on a v5 CONNECT instead of answering. */
		snprintf(buf, size, "the broker %s closed the connection before answering%s%s",
			 e->where, e->tls ? "" : " (a TLS port? then use mqtts://)",
			 e->version >= 5 ? " (a broker without MQTT 5? then -V 311)" : "");
	} else if (message && strstr(message, "connect failure")) {
		snprintf(buf, size, "cannot connect to %s (connection refused, host unreachable%s)",
			 e->where, e->tls ? ", or the TLS handshake failed" : "");
	} else if (message && strstr(message, "timeout")) {
		snprintf(buf, size, "no answer from %s within %d s", e->where, e->connect_timeout_s);
	} else {
		const char *paho = code < 0 ? MQTTAsync_strerror(code) : NULL;
		snprintf(buf, size, "cannot connect to %s: %s", e->where,
			 message ? message : paho ? paho : "no reason given");
	}
}
