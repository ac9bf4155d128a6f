'use strict';
// Shared by the kit's Caliper workload modules: argument templates and request building.
//
// Contract arguments arrive as a positional list of templates, built by app/fabdemo/poc/caliper_workspace.py
// from poc/criteria.yaml (or the defaults) with the placeholders of criteria.yaml: {uid} is unique per
// transaction (every submit writes a key of its own, so none conflict), {n} the transaction's sequence
// number, {lot} one of the lots harvested while the round is prepared (for reads).

function fill(templates, values) {
    return templates.map((template) => template.replace(/\{(uid|n|lot)\}/g, (_, name) => String(values[name])));
}

function request(args, contractFunction, contractArguments, readOnly) {
    return {
        channel: args.channel,
        contractId: args.contractId,
        contractFunction,
        contractArguments,
        invokerMspId: args.mspId,
        invokerIdentity: args.identity,
        readOnly,
    };
}

// Harvest `count` lots (args.pool: {function, args}) and return their ids. Runs in
// initializeWorkloadModule, before Caliper starts counting, so a read round measures reads only.
async function harvestPool(sutAdapter, args, workerIndex, count) {
    const runId = `${Date.now().toString(36)}w${workerIndex}`;
    const ids = [];
    const sends = [];
    for (let i = 0; i < count; i++) {
        const uid = `${runId}-pool-${i}`;
        const contractArguments = fill(args.pool.args, { uid, n: i, lot: '' });
        ids.push(contractArguments[args.pool.idIndex]);
        sends.push(sutAdapter.sendRequests(request(args, args.pool.function, contractArguments, false)));
    }
    const results = await Promise.all(sends);
    const failed = results.filter((status) => status.GetStatus() !== 'success');
    if (failed.length > 0) {
        throw new Error(`${failed.length} of ${count} lots for the read round could not be harvested`);
    }
    return ids;
}

// The one workload class: submit.js and evaluate.js differ only in whether the call is ordered.
// Required lazily: common.js is also loaded by the kit's unit tests, where caliper-core is absent.
function templatedWorkload(readOnly) {
    const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

    class TemplatedWorkload extends WorkloadModuleBase {
        async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
            await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
            this.sent = 0;
            // Ids stay unique across repeated runs against the same ledger.
            this.runId = `${Date.now().toString(36)}-r${roundIndex}-w${workerIndex}`;
            this.lots = roundArguments.pool ? await harvestPool(sutAdapter, roundArguments, workerIndex, roundArguments.poolSize) : [''];
        }

        async submitTransaction() {
            const n = this.sent++;
            const a = this.roundArguments;
            const values = { uid: `${this.runId}-${n}`, n, lot: this.lots[n % this.lots.length] };
            await this.sutAdapter.sendRequests(request(a, a.function, fill(a.args, values), readOnly));
        }
    }
    return new TemplatedWorkload();
}

module.exports = { fill, request, harvestPool, templatedWorkload };
