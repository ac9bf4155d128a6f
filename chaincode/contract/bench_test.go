package contract

import (
	"fmt"
	"testing"
)

// BenchmarkHarvestLot runs HarvestLot through the whole chaincode (contract-api routing, argument
// conversion) on the fake stub, with and without contract-api-go's schema validation: the chaincode
// server's share of a transaction without the gRPC stream.
// go test ./contract -run '^$' -bench . -benchmem -cpuprofile /tmp/cc.prof
func BenchmarkHarvestLot(b *testing.B) {
	for _, validated := range []bool{true, false} {
		b.Run(map[bool]string{true: "schema-validated", false: "deployed"}[validated], func(b *testing.B) {
			harvestLots(b, validated)
		})
	}
}

func harvestLots(b *testing.B, validated bool) {
	t := &testing.T{}
	e := withValidation(t, validated)
	e.setup()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := e.invoke(ids.farm, nil, "HarvestLot", fmt.Sprintf("B-%d", i), "tomato", "Roma", "10", "kg", "Farm", "Road", "P1", "2025-05-30")
		if resp.Status != 200 {
			b.Fatal(resp.Message)
		}
		e.stub.commit()
	}
}

// BenchmarkRecordTemperature is one in-range reading on a lot that already has many (deployed form).
func BenchmarkRecordTemperature(b *testing.B) {
	t := &testing.T{}
	e := withValidation(t, false)
	e.setup()
	e.harvest("LOT-1", "100")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := e.invoke(ids.farm, nil, "RecordTemperature", "LOT-1", "4", "cold room")
		if resp.Status != 200 {
			b.Fatal(resp.Message)
		}
		e.stub.commit()
	}
}
