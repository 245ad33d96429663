'use strict'
// tests/aedes/broker.js — Aedes, a second MQTT broker nobody here wrote, for
// tests/integration/test_aedes.sh.  Not part of the program.
//
//   node tests/aedes/broker.js PORT
//
// Listens on 127.0.0.1:PORT only, plain TCP (this layer checks behaviour
// against another broker, not TLS: mosquitto covers that).  MQTT 3.1 / 3.1.1
// only: this Aedes refuses MQTT 5 in its CONNACK.  The persistence is Aedes'
// default in-memory one, which keeps retained messages for as long as the
// process lives (a restart starts empty, as a broker without persistence would).
//
// Prints "aedes: ready on 127.0.0.1:PORT" once it accepts connections, one line
// per client connect / disconnect / error, and exits 0 on SIGTERM or SIGINT
// after closing every client.  Exit 3 when the port is taken (the test picks
// another one), 1 on any other failure.

const net = require('net')
const aedes = require('aedes')

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node broker.js PORT')
  process.exit(2)
}

const broker = aedes()
const server = net.createServer(broker.handle)

broker.on('client', (c) => console.log(`aedes: connect ${c.id}`))
broker.on('clientDisconnect', (c) => console.log(`aedes: disconnect ${c.id}`))
broker.on('clientError', (c, err) => console.log(`aedes: client ${c.id} error: ${err.message}`))
broker.on('connectionError', (c, err) => console.log(`aedes: connection error: ${err.message}`))

server.on('error', (err) => {
  console.error(`aedes: ${err.message}`)
  process.exit(err.code === 'EADDRINUSE' ? 3 : 1)
})

server.listen(port, '127.0.0.1', () => {
  console.log(`aedes: ready on 127.0.0.1:${port}`)
})

let stopping = false
function stop (signal) {
  if (stopping) return
  stopping = true
  console.log(`aedes: ${signal}, closing`)
  // Bounded: a client that never lets go must not keep the test waiting.
  setTimeout(() => process.exit(0), 3000).unref()
  server.close()
  broker.close(() => process.exit(0))
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
