package contract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/stretchr/testify/require"
)

var metadataFile = filepath.Join("..", "contract-metadata", "metadata.json")

// reflectedMetadata returns what contractapi generates (parameters named param0..N).
func reflectedMetadata(t *testing.T) metadata.ContractChaincodeMetadata {
	t.Helper()
	e := newEnv(t)
	resp := e.invoke(ids.farm, nil, MetadataFunction)
	require.Equal(t, int32(200), resp.Status, resp.Message)
	var md metadata.ContractChaincodeMetadata
	require.NoError(t, json.Unmarshal(resp.Payload, &md))
	return md
}

// expectedMetadataFile is the reflected metadata with real parameter names and info.
func expectedMetadataFile(t *testing.T) []byte {
	t.Helper()
	md := reflectedMetadata(t)
	info := New().Info
	md.Info = &info
	c, ok := md.Contracts[ContractName]
	require.True(t, ok)
	require.True(t, c.Default)
	var names []string
	for i, tx := range c.Transactions {
		names = append(names, tx.Name)
		want, ok := ParameterNames[tx.Name]
		require.True(t, ok, "ParameterNames lacks %s", tx.Name)
		require.Len(t, tx.Parameters, len(want), "parameter count of %s", tx.Name)
		for j := range tx.Parameters {
			c.Transactions[i].Parameters[j].Name = want[j]
		}
	}
	var tableNames []string
	for name := range ParameterNames {
		tableNames = append(tableNames, name)
	}
	sort.Strings(tableNames)
	require.Equal(t, tableNames, names, "ParameterNames must list exactly the transactions")
	md.Contracts[ContractName] = c
	require.NoError(t, md.CompileSchemas())
	require.NoError(t, metadata.ValidateAgainstSchema(md))
	out, err := json.MarshalIndent(md, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

// TestMetadataFileUpToDate keeps contract-metadata/metadata.json in step with the code.
// Regenerate with: UPDATE_METADATA=1 go test ./contract -run TestMetadataFileUpToDate
func TestMetadataFileUpToDate(t *testing.T) {
	want := expectedMetadataFile(t)
	if os.Getenv("UPDATE_METADATA") == "1" {
		require.NoError(t, os.WriteFile(metadataFile, want, 0o644))
	}
	got, err := os.ReadFile(metadataFile)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "contract-metadata/metadata.json is stale; run UPDATE_METADATA=1 go test ./contract -run TestMetadataFileUpToDate")
}

func TestMetadataServedFromFile(t *testing.T) {
	file, err := os.ReadFile(metadataFile)
	require.NoError(t, err)
	cc, err := NewChaincode(file)
	require.NoError(t, err)
	e := newEnv(t)
	e.cc = cc
	resp := e.invoke(ids.farm, nil, MetadataFunction)
	require.Equal(t, int32(200), resp.Status)
	require.Equal(t, file, resp.Payload)

	var md metadata.ContractChaincodeMetadata
	require.NoError(t, json.Unmarshal(resp.Payload, &md))
	for _, tx := range md.Contracts[ContractName].Transactions {
		if tx.Name == "HarvestLot" {
			require.Equal(t, "quantity", tx.Parameters[3].Name)
			require.Equal(t, "number", tx.Parameters[3].Schema.Type[0])
			require.Contains(t, tx.Tag, "submit")
		}
		if tx.Name == "GetLot" {
			require.Contains(t, tx.Tag, "evaluate")
		}
	}

	// other calls still reach the contract
	e.initRoles()

	_, err = NewChaincode([]byte("not json"))
	require.Error(t, err)
	_, err = NewChaincode([]byte(`{"contracts":{"other":{}}}`))
	require.Error(t, err)
}
