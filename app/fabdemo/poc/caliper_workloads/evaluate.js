'use strict';
// Caliper workload module: one evaluate (a read answered by one peer, nothing ordered), for example
// GetLot over a pool of lots harvested while the round is prepared. Round arguments as in submit.js.
const { templatedWorkload } = require('./common');

module.exports.createWorkloadModule = () => templatedWorkload(true);
