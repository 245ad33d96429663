#!/usr/bin/env node
/* count.js — a peer for make bench: a bare MQTT.js client (the library under
 * MQTTX and MQTT Explorer) that only counts messages, the Node twin of
 * tests/bench/paho_count.c, with its options and its output line.
 *
 *   node count.js -h HOST -p PORT -t FILTER -n COUNT [-q QOS] [-i ID] [-c]
 *                 [--cafile F --cert F --key F] [--retained-only]
 *
 * -c keeps the session (clean session off) so a backlog queued while the
 * client was away is drained on connect; without -n it only registers the
 * session (subscribe, disconnect).  --retained-only stops at the first
 * message without the retain flag, as mosquitto_sub's does.  Prints
 * "<count> messages in <s> s, <s> s from connect": first to last message,
 * then connect to last message (paho_count's line, parsed the same way).
 * Exit 0 once COUNT arrived, 1 on a failure or when fewer arrived (said on
 * stderr), 2 on a bad option. */
'use strict';

const fs = require('fs');
const mqtt = require('mqtt');

function usage(message) {
	process.stderr.write(`count.js: ${message}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const a = {
		host: '127.0.0.1', port: 1883, filter: '#', id: 'mqttjs-count', wanted: 0, qos: 0,
		keepSession: false, retainedOnly: false, cafile: null, cert: null, key: null,
	};
	const valued = {
		'-h': (v) => { a.host = v; },
		'-p': (v) => { a.port = Number(v); },
		'-t': (v) => { a.filter = v; },
		'-n': (v) => { a.wanted = Number(v); },
		'-q': (v) => { a.qos = Number(v); },
		'-i': (v) => { a.id = v; },
		'--cafile': (v) => { a.cafile = v; },
		'--cert': (v) => { a.cert = v; },
		'--key': (v) => { a.key = v; },
	};
	for (let i = 0; i < argv.length; i++) {
		const opt = argv[i];
		if (opt === '-c') { a.keepSession = true; continue; }
		if (opt === '--retained-only') { a.retainedOnly = true; continue; }
		if (!(opt in valued)) usage(`unknown option ${opt}`);
		if (i + 1 >= argv.length) usage(`${opt} needs a value`);
		valued[opt](argv[++i]);
	}
	if (!Number.isInteger(a.port) || a.port <= 0) usage('-p needs a port number');
	if (!Number.isInteger(a.wanted) || a.wanted < 0) usage('-n needs a count');
	if (![0, 1, 2].includes(a.qos)) usage('-q needs 0, 1 or 2');
	return a;
}

const a = parseArgs(process.argv.slice(2));
const options = {
	host: a.host,
	port: a.port,
	clientId: a.id,
	clean: !a.keepSession,
	keepalive: 30,
	reconnectPeriod: 0, /* a lost connection is a failed run, not a retry */
	protocol: a.cafile ? 'mqtts' : 'mqtt',
};
if (a.cafile) {
	options.ca = fs.readFileSync(a.cafile);
	if (a.cert) options.cert = fs.readFileSync(a.cert);
	if (a.key) options.key = fs.readFileSync(a.key);
	options.rejectUnauthorized = true;
}

let received = 0;
let first = 0n;
let last = 0n;
let finished = false;
const seconds = (from, to) => Number(to - from) / 1e9;

/* Bounded like paho_count: at most 10 minutes. */
const deadline = setTimeout(() => finish(1, `${received} of ${a.wanted} messages after 600 s`), 600000);

function finish(rc, message) {
	if (finished) return;
	finished = true;
	clearTimeout(deadline);
	if (message) process.stderr.write(`count.js: ${message}\n`);
	if (a.wanted > 0 && rc === 0) {
		process.stdout.write(`${received} messages in ${seconds(first, last).toFixed(3)} s, `
			+ `${seconds(started, last).toFixed(3)} s from connect\n`);
	}
	/* end() sends what is queued (the last PUBACK) before DISCONNECT: an
	 * unacknowledged message would stay in the persistent session and be
	 * counted by the next run. */
	const exitTimer = setTimeout(() => process.exit(rc), 1000);
	client.end(false, () => { clearTimeout(exitTimer); process.exit(rc); });
}

const started = process.hrtime.bigint();
const client = mqtt.connect(options);

client.on('connect', () => {
	client.subscribe(a.filter, { qos: a.qos }, (err, granted) => {
		if (err) return finish(1, `subscribe: ${err.message}`);
		if (granted.some((g) => g.qos > 2)) return finish(1, `subscription to ${a.filter} refused`);
		if (a.wanted === 0) finish(0);
	});
});

client.on('message', (topic, payload, packet) => {
	if (finished) return;
	if (a.retainedOnly && !packet.retain)
		return finish(1, `a message without the retain flag after ${received} of ${a.wanted}`);
	received++;
	if (received === 1) first = process.hrtime.bigint();
	if (received === a.wanted) {
		last = process.hrtime.bigint();
		/* the next turn of the loop: MQTT.js queues a QoS 1 PUBACK after this handler */
		setImmediate(() => finish(0));
	}
});

client.on('error', (err) => finish(1, err.message));
client.on('close', () => {
	if (!finished) finish(1, `connection closed after ${received} of ${a.wanted} messages`);
});
