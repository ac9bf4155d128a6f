package contract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHappyPathFarmToShelf(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "500")
	e.ok(ids.farm, "RecordInput", "LOT-1", "FERTILISER", "NPK 10-10-10", "20 kg/ha", "2025-04-01")
	e.ok(ids.farm, "AnchorCertificate", "LOT-1", "ORG-1", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "ProcessLot", "LOT-1", "WASHING", "rinsed")
	children := decode[[]Lot](t, e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"PACK-1","quantity":200},{"lotId":"PACK-2","quantity":300}]`))
	require.Len(t, children, 2)
	e.toRetailer("PACK-1")
	e.ok(ids.retail, "RecordTemperature", "PACK-1", "4.5", "store fridge")
	e.ok(ids.retail, "MarkSold", "PACK-1", "Store 12")
	res := decode[AuthenticityResult](t, e.ok(ids.retail, "CheckAuthenticity", "PACK-1", "Store 12"))
	require.Equal(t, 1, res.Checks)
	require.False(t, res.LikelyClone)
	require.NotEmpty(t, res.Journey)
	tr := decode[TraceResult](t, e.ok(ids.farm, "TraceLot", "LOT-1"))
	require.Len(t, tr.Descendants, 2)
	require.Equal(t, []string{"ProcessorMSP", "RetailerMSP"}, tr.Holders)
	for _, fn := range []string{"GetLotEvents", "GetLotHistory", "GetLot", "TraceLot"} {
		e.ok(ids.farm, fn, "PACK-1")
	}
	e.ok(ids.farm, "ListLots")
	e.ok(ids.farm, "ListLotsByStatus", "SOLD")
	e.ok(ids.farm, "ListLotsByCustodian", "RetailerMSP")
	e.ok(ids.farm, "GetRoles")
	e.ok(ids.farm, "ListProducts")
	e.ok(ids.farm, "GetProduct", "tomato")
	e.ok(ids.farm, "VerifyCertificate", "PACK-1", "ORG-1", hashA)
}
