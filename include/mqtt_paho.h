/* mqtt_paho — where Paho's MQTT 3.1.1 and MQTT 5 answers become one.
 *
 * Paho reports every operation through one of four callbacks (onSuccess,
 * onFailure, onSuccess5, onFailure5) with four different structs; the
 * client (mqtt.c) writes each handler once, over a struct paho_answer, and
 * PAHO_TWINS / PAHO_ON generate and install the four trampolines.  Also
 * here: the texts made of Paho's codes (CONNACK, MQTT 5 reason codes, a
 * failed connection attempt).  Private to the client: included only by
 * mqtt.c and its unit test. */
#ifndef DRIVR_MQTT_PAHO_H
#define DRIVR_MQTT_PAHO_H

#include <stdbool.h>
#include <stddef.h>

#include <MQTTAsync.h>

/* One answer of Paho's to an operation, whichever callback brought it.
 * Borrowed from Paho for the duration of the callback. */
struct paho_answer {
	bool ok;             /* onSuccess(5), not onFailure(5) */
	bool v5;             /* brought by an MQTT 5 callback */
	int token;
	int code;            /* a failure's Paho code (MQTTASYNC_*, 3.1.1's CONNACK
			      * return code or MQTT_BAD_SUBSCRIBE); 0 on success */
	int reason;          /* MQTT 5: the broker's reason code; 0 under 3.1.1 */
	const char *message; /* a failure's words from Paho; may be NULL */
	const MQTTAsync_successData *s3;  /* success under 3.1.1, may be NULL */
	const MQTTAsync_successData5 *s5; /* success under MQTT 5, may be NULL */
};

void paho_answer_success(struct paho_answer *a, const MQTTAsync_successData *r);
void paho_answer_failure(struct paho_answer *a, const MQTTAsync_failureData *r);
void paho_answer_success5(struct paho_answer *a, const MQTTAsync_successData5 *r);
void paho_answer_failure5(struct paho_answer *a, const MQTTAsync_failureData5 *r);

/* PAHO_TWINS(handler) defines handler_ok, _fail, _ok5 and _fail5, each
 * calling `void handler(void *ctx, const struct paho_answer *a)`;
 * PAHO_ON(opts, v5, handler) installs the pair of the protocol version in
 * any Paho options struct with onSuccess/onFailure(5) fields. */
#define PAHO_TWIN(handler, suffix, type, convert)              \
	static void handler##suffix(void *ctx, type *response) \
	{                                                      \
		struct paho_answer a;                          \
		convert(&a, response);                         \
		handler(ctx, &a);                              \
	}
#define PAHO_TWINS(handler)                                                    \
	PAHO_TWIN(handler, _ok, MQTTAsync_successData, paho_answer_success)    \
	PAHO_TWIN(handler, _fail, MQTTAsync_failureData, paho_answer_failure)  \
	PAHO_TWIN(handler, _ok5, MQTTAsync_successData5, paho_answer_success5) \
	PAHO_TWIN(handler, _fail5, MQTTAsync_failureData5, paho_answer_failure5)
#define PAHO_ON(opts, v5, handler)                         \
	do {                                               \
		if (v5) {                                  \
			(opts).onSuccess5 = handler##_ok5; \
			(opts).onFailure5 = handler##_fail5; \
		} else {                                   \
			(opts).onSuccess = handler##_ok;   \
			(opts).onFailure = handler##_fail; \
		}                                          \
	} while (0)

/* The broker refused the operation (an MQTT 5 reason code >= 0x80, 3.1.1's
 * SUBACK failure); *code (optional) receives the code.  A success carrying
 * such a reason code (an MQTT 5 PUBACK) counts. */
bool paho_refused(const struct paho_answer *a, int *code);
/* A SUBACK's result for filter i of the n sent: the granted QoS, or the
 * refusal code (0x80, or an MQTT 5 reason code); 0x80 when Paho gave none. */
int paho_suback(const struct paho_answer *a, size_t i, size_t n);
/* A failure in words: Paho's message, else the text of its code. */
const char *paho_failure_text(const struct paho_answer *a);
/* A failed connection attempt's code: the broker's answer (CONNACK return
 * code 1..5, or an MQTT 5 reason code >= 0x80) when there was one, else
 * Paho's code (negative). */
int paho_connect_code(const struct paho_answer *a);

/* "packet too large (0x95)": Paho's name of an MQTT 5 reason code, as the
 * tail of a sentence, with the code the broker's log and docs use. */
void paho_reason_code_text(int rc, char *buf, size_t size);

/* What the description of a failed attempt needs to know of the client. */
struct paho_endpoint {
	const char *where; /* "host:port" */
	int version;       /* 4 or 5 */
	bool tls;
	int connect_timeout_s;
};
/* One line saying why a connection attempt failed, from code
 * (paho_connect_code) and Paho's message: the broker's answer, else Paho's
 * words with a hint for the usual causes.  A TLS handshake's own reason is
 * not here: Paho does not know it (see tlsprobe.h). */
void paho_describe_connect_failure(const struct paho_endpoint *e, int code, const char *message,
				   char *buf, size_t size);

#endif
