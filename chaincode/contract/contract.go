// Package contract implements the farm-to-table provenance smart contract.
package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
)

// ContractName is the name of the (single, default) contract.
const ContractName = "provenance"

// Version of the contract reported in the metadata.
const Version = "1.0.0"

// SmartContract is the provenance contract. Every exported method (other than the
// contractapi plumbing) is a transaction.
type SmartContract struct {
	contractapi.Contract
}

// New returns the contract with its name and info set.
func New() *SmartContract {
	c := &SmartContract{}
	c.Name = ContractName
	c.Info = metadata.InfoMetadata{
		Title:       "Farm-to-table provenance",
		Description: "Lots of produce moving from farm to shelf; every step is a ledger event signed by the org that did it.",
		Version:     Version,
	}
	return c
}

// evaluateTransactions are read-only and tagged "evaluate" in the metadata.
var evaluateTransactions = []string{
	"GetRoles", "GetProduct", "ListProducts", "VerifyCertificate", "GetPrice", "VerifyPrice",
	"GetLot", "GetLotEvents", "GetLotHistory", "TraceLot", "ListLotsByCustodian",
	"ListLotsByStatus", "ListLots",
	"ListLotsPage", "ListLotsByStatusPage", "ListLotsByCustodianPage", "ListTemperatures",
	"GetReferenceDocuments",
}

// GetEvaluateTransactions implements contractapi.EvaluationContractInterface.
func (c *SmartContract) GetEvaluateTransactions() []string {
	return append([]string(nil), evaluateTransactions...)
}
