'use strict';
// Caliper workload module: one submit function, a unique {uid} per transaction (the kit's own
// generator does the same, app/fabdemo/bench/workload.py). Round arguments: channel, contractId,
// mspId, identity, function, args (templates, see common.js), optional pool and poolSize for {lot}.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { fill, request, harvestPool } = require('./common');

class SubmitWorkload extends WorkloadModuleBase {
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
        await this.sutAdapter.sendRequests(request(a, a.function, fill(a.args, values), false));
    }
}

module.exports.createWorkloadModule = () => new SubmitWorkload();
