package contract

import (
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"
)

// The unit tests run with contract-api-go's schema validation on, so every answer they see is also
// checked against the metadata schema; the deployed chaincode skips it (serializer.go).
func init() { schemaValidation = true }

func withValidation(t *testing.T, on bool) *env {
	t.Helper()
	before := schemaValidation
	schemaValidation = on
	defer func() { schemaValidation = before }()
	return newEnv(t)
}

func TestUnvalidatedSerializerAnswersExactlyAsTheValidatingOne(t *testing.T) {
	validated, fast := withValidation(t, true), withValidation(t, false)
	require.IsType(t, &unvalidatedSerializer{}, fast.cc.inner.(*contractapi.ContractChaincode).TransactionSerializer)
	require.NotEqual(t, &unvalidatedSerializer{}, validated.cc.inner.(*contractapi.ContractChaincode).TransactionSerializer)
	steps := script()
	// and some refusals: conversion errors, routing errors, contract errors
	steps = append(steps,
		step{id: &ids.farm, fn: "HarvestLot", args: []string{"X"}},
		step{id: &ids.farm, fn: "ListLotsPage", args: []string{"ten", ""}},
		step{id: &ids.farm, fn: "RecordTemperature", args: []string{"G1", "NaN", ""}},
		step{id: &ids.farm, fn: "NoSuchFunction"},
		step{id: &ids.farm, fn: "GetLot", args: []string{"NOPE"}},
	)
	for _, st := range steps {
		a := validated.invoke(*st.id, st.transient, st.fn, st.args...)
		b := fast.invoke(*st.id, st.transient, st.fn, st.args...)
		require.Equal(t, a.Status, b.Status, st.fn)
		require.Equal(t, a.Message, b.Message, st.fn)
		require.Equal(t, string(a.Payload), string(b.Payload), st.fn)
		if a.Status == 200 {
			validated.stub.commit()
			fast.stub.commit()
		}
	}
}
