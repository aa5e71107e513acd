// The CouchDB side of the PouchDB anchor: express-pouchdb over the in-memory adapter.
// Usage: node server.js   (prints "port N" once listening on 127.0.0.1)
// GET /_bench/requests (asked directly, never through the shaping proxy) answers how many
// requests the CouchDB API has served, so the harness counts them the same way for each phase.
'use strict';
const express = require('express');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const app = express();
let requests = 0;
app.get('/_bench/requests', (req, res) => res.json({ requests }));
app.use((req, res, next) => {
  requests += 1;
  next();
});
app.use('/', require('express-pouchdb')(MemPouch, {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
  logPath: '/dev/null',
}));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});
