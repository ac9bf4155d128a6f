'use strict';
// Caliper workload module: one submit function, a unique {uid} per transaction (the kit's own
// generator does the same, app/fabdemo/bench/workload.py). Round arguments: channel, contractId,
// mspId, identity, function, args (templates, see common.js), optional pool and poolSize for {lot}.
const { templatedWorkload } = require('./common');

module.exports.createWorkloadModule = () => templatedWorkload(false);
