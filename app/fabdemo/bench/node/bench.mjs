// Runs the kit's submit workload with the official Node Fabric Gateway client and prints JSON.
// Usage: node bench.mjs <config.json>   (written by app/fabdemo/bench/node_client.py)
// The workload mirrors app/fabdemo/bench/workload.py: HarvestLot with unique ids, N in flight,
// each submit waiting for its commit status.
import { readFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, signers, hash } from '@hyperledger/fabric-gateway';

const config = JSON.parse(await readFile(process.argv[2], 'utf8'));

function percentile(sorted, pct) {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.round((pct / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function harvestArgs(lotId) {
  return [lotId, 'PRD-BENCH', 'Bench', '10', 'kg', 'Bench Farm', 'Bench Road', 'B1', '2026-06-01'];
}

async function runLevel(contract, concurrency, total, prefix) {
  const latencies = [];
  let failures = 0;
  let next = 0;
  async function worker() {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      try {
        await contract.submitTransaction('HarvestLot', ...harvestArgs(`${prefix}-${index}`));
        latencies.push(performance.now() - started);
      } catch {
        failures++;
      }
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const round1 = (x) => Math.round(x * 10) / 10;
  return {
    concurrency,
    transactions: total,
    failures,
    elapsed_s: Math.round(elapsedMs) / 1000,
    tps: round1(latencies.length / (elapsedMs / 1000)),
    count: latencies.length,
    p50_ms: round1(percentile(latencies, 50)),
    p95_ms: round1(percentile(latencies, 95)),
    mean_ms: round1(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    max_ms: round1(latencies[latencies.length - 1] ?? NaN),
  };
}

const tlsRoot = await readFile(config.tlsRootCertPath);
const client = new grpc.Client(config.endpoint, grpc.credentials.createSsl(tlsRoot), {
  'grpc.ssl_target_name_override': config.serverName,
});
const gateway = connect({
  client,
  identity: { mspId: config.mspId, credentials: await readFile(config.certPath) },
  signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(config.keyPath))),
  hash: hash.sha256,
  evaluateOptions: () => ({ deadline: Date.now() + 5000 }),
  endorseOptions: () => ({ deadline: Date.now() + 15000 }),
  submitOptions: () => ({ deadline: Date.now() + 5000 }),
  commitStatusOptions: () => ({ deadline: Date.now() + 60000 }),
});
try {
  const contract = gateway.getNetwork(config.channel).getContract(config.chaincode);
  const results = [];
  for (const level of config.levels) {
    results.push(await runLevel(contract, level.concurrency, level.total, `${config.prefix}-c${level.concurrency}`));
  }
  console.log(JSON.stringify(results));
} finally {
  gateway.close();
  client.close();
}
