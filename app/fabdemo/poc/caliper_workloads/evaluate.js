'use strict';
// Caliper workload module: one evaluate (a read answered by one peer, nothing ordered), for example
// GetLot over a pool of lots harvested while the round is prepared. Round arguments as in submit.js.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const { fill, request, harvestPool } = require('./common');

class EvaluateWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.sent = 0;
        this.runId = `${Date.now().toString(36)}-r${roundIndex}-w${workerIndex}`;
        this.lots = roundArguments.pool ? await harvestPool(sutAdapter, roundArguments, workerIndex, roundArguments.poolSize) : [''];
    }

    async submitTransaction() {
        const n = this.sent++;
        const a = this.roundArguments;
        const values = { uid: `${this.runId}-${n}`, n, lot: this.lots[n % this.lots.length] };
        await this.sutAdapter.sendRequests(request(a, a.function, fill(a.args, values), true));
    }
}

module.exports.createWorkloadModule = () => new EvaluateWorkload();
