package contract

// This file is the prepared change of the developers' storyboard: copied into the chaincode and
// redeployed live (next sequence) to show a contract upgrade while the app keeps running.

import (
	"math"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

func init() {
	ParameterNames["GetColdChainReport"] = []string{"lotId"}
	evaluateTransactions = append(evaluateTransactions, "GetColdChainReport")
}

// ColdChainReport summarises a lot's temperature readings against its product's band.
type ColdChainReport struct {
	LotID        string  `json:"lotId"`
	ProductID    string  `json:"productId"`
	MinAllowedC  float64 `json:"minAllowedC"`
	MaxAllowedC  float64 `json:"maxAllowedC"`
	Readings     int     `json:"readings"`
	Breaches     int     `json:"breaches"`
	LowestC      float64 `json:"lowestC"`
	HighestC     float64 `json:"highestC"`
	Compliant    bool    `json:"compliant"`
	ScorePercent float64 `json:"scorePercent"`
}

// GetColdChainReport returns the cold-chain compliance of a lot: readings, breaches and a score.
func (c *SmartContract) GetColdChainReport(ctx contractapi.TransactionContextInterface, lotId string) (*ColdChainReport, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	lot, err := getAssembledLot(stub, lotId) // the lot with its readings (stored under their own keys)
	if err != nil {
		return nil, err
	}
	product, err := getProduct(stub, lot.ProductID)
	if err != nil {
		return nil, err
	}
	report := &ColdChainReport{
		LotID: lot.LotID, ProductID: lot.ProductID,
		MinAllowedC: product.MinTempC, MaxAllowedC: product.MaxTempC,
		Readings: len(lot.Temperatures), LowestC: math.Inf(1), HighestC: math.Inf(-1),
	}
	for _, reading := range lot.Temperatures {
		if !reading.InRange {
			report.Breaches++
		}
		report.LowestC = math.Min(report.LowestC, reading.Celsius)
		report.HighestC = math.Max(report.HighestC, reading.Celsius)
	}
	if report.Readings == 0 {
		report.LowestC, report.HighestC = 0, 0
	}
	report.Compliant = report.Breaches == 0
	report.ScorePercent = 100
	if report.Readings > 0 {
		report.ScorePercent = math.Round(1000*float64(report.Readings-report.Breaches)/float64(report.Readings)) / 10
	}
	return report, nil
}
