// The device side of the PouchDB anchor: PouchDB with the in-memory adapter, synced two ways
// with `db.sync(remote)`, as an offline-first app runs it.
// Usage: node client.js REMOTE_URL
// Reads one command a line on stdin and answers one JSON line on stdout:
//   create N      make N product documents locally (no network)
//   edit N        edit the first N documents (price and stock), locally
//   sync          one two-way sync with REMOTE_URL/products
//   fresh         a new empty device that syncs (pulls everything)
//   quit
'use strict';
const readline = require('readline');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

const remoteUrl = process.argv[2];
let device = 0;
let db = new PouchDB(`device-${device}`, { adapter: 'memory' });
const remote = () => new PouchDB(`${remoteUrl}/products`, { skip_setup: false });

// The same fields as a Sentra product (bench/src/catalogue.rs makes the same values).
function product(i) {
  return {
    _id: `product-${String(i).padStart(6, '0')}`,
    type: 'product',
    producer_id: '01890a5d-ac96-774b-bcce-b302099a8057',
    name: `Kaos Batik Pekalongan ${i}`,
    description: 'Kaos katun motif batik cap, dijahit di Rowosari.',
    category: 'Pakaian',
    unit: 'pcs',
    price: 50000 + (i % 97) * 1000,
    stock: i % 40,
    min_order: 1,
    status: 'listed',
  };
}

async function run(cmd, n) {
  const started = process.hrtime.bigint();
  let info = {};
  if (cmd === 'create') {
    const docs = [];
    for (let i = 0; i < n; i++) docs.push(product(i));
    for (let i = 0; i < docs.length; i += 500) await db.bulkDocs(docs.slice(i, i + 500));
  } else if (cmd === 'edit') {
    const all = await db.allDocs({ include_docs: true, limit: n });
    const docs = all.rows.map((r) => ({ ...r.doc, price: r.doc.price + 500, stock: r.doc.stock + 1 }));
    await db.bulkDocs(docs);
  } else if (cmd === 'sync' || cmd === 'fresh') {
    if (cmd === 'fresh') {
      device += 1;
      db = new PouchDB(`device-${device}`, { adapter: 'memory' });
    }
    const result = await db.sync(remote());
    info = {
      pushed: result.push ? result.push.docs_written : 0,
      pulled: result.pull ? result.pull.docs_written : 0,
    };
    const local = await db.info();
    info.local_docs = local.doc_count;
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ok: true, cmd, ms, ...info };
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'quit') {
    queue.then(() => process.exit(0));
    return;
  }
  queue = queue.then(() => run(cmd, Number(arg || 0))
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((e) => process.stdout.write(`${JSON.stringify({ ok: false, cmd, error: String(e) })}\n`)));
});
