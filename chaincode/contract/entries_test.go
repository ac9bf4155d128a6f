package contract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// txFootprint is what one transaction read and wrote on the fake stub (before commit).
type txFootprint struct {
	reads      map[string]bool
	writes     map[string][]byte
	rangeScans int
}

func (f txFootprint) bytesWritten() int {
	n := 0
	for k, v := range f.writes {
		n += len(k) + len(v)
	}
	return n
}

// submit runs a submit that must succeed and returns its footprint, then commits it.
func (e *env) submit(id *identity, fn string, args ...string) txFootprint {
	e.t.Helper()
	resp := e.invoke(id, nil, fn, args...)
	require.Equal(e.t, int32(200), resp.Status, "%s(%v) failed: %s", fn, args, resp.Message)
	f := txFootprint{reads: map[string]bool{}, writes: map[string][]byte{}, rangeScans: e.stub.calls["GetStateByPartialCompositeKey"]}
	for k := range e.stub.reads {
		f.reads[k] = true
	}
	for k, v := range e.stub.writes {
		f.writes[k] = v
	}
	require.Len(e.t, e.stub.events, 1)
	e.stub.commit()
	return f
}

func readingsJSON(celsius ...float64) string {
	parts := make([]string, len(celsius))
	for i, c := range celsius {
		parts[i] = fmt.Sprintf(`{"celsius":%g,"location":"Truck 7"}`, c)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestReadingCostStaysFlat(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	first := e.submit(ids.farm, "RecordTemperature", "LOT-1", "4", "cold room")
	for i := 0; i < 10; i++ {
		batch := make([]float64, MaxReadingsPerBatch)
		for j := range batch {
			batch[j] = 3
		}
		e.ok(ids.farm, "RecordTemperatures", "LOT-1", readingsJSON(batch...))
	}
	later := e.submit(ids.farm, "RecordTemperature", "LOT-1", "4", "cold room")
	require.Equal(t, len(first.writes), len(later.writes), "same keys written after 1,001 readings")
	require.Equal(t, first.bytesWritten(), later.bytesWritten(), "same bytes written after 1,001 readings")
	require.Equal(t, len(first.reads), len(later.reads))
	require.Zero(t, later.rangeScans, "a reading scans nothing")
	require.NotContains(t, later.writes, lotKey("LOT-1"), "an in-range reading does not rewrite the lot")

	lot := e.getLot("LOT-1")
	require.Len(t, lot.Temperatures, 1002)
	require.Equal(t, 1002, lot.Summary.Temperatures)
	require.Equal(t, 3.0, lot.Summary.MinCelsius)
	require.Equal(t, 4.0, lot.Summary.MaxCelsius)
	require.False(t, lot.Summary.Breach)
	require.Less(t, len(e.stub.state[lotKey("LOT-1")]), 2048, "the stored lot does not grow with its readings")
}

func TestSensorsOnOneLotDoNotConflict(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "Cold Express", "TRK-1", "")
	// The farm's probe and the carrier's logger both endorse against the same committed state.
	a := e.submit(ids.farm, "RecordTemperature", "LOT-1", "4", "probe A")
	b := e.submit(ids.carrier, "RecordTemperatures", "LOT-1", readingsJSON(5, 6))
	c := e.submit(ids.carrier, "RecordCheckpoint", "LOT-1", "48.1", "11.5", "Munich", "")
	all := []txFootprint{a, b, c}
	for i, x := range all {
		for j, y := range all {
			if i == j {
				continue
			}
			for k := range y.writes {
				require.False(t, x.reads[k], "tx %d reads key %q that tx %d writes: an MVCC conflict", i, k, j)
				_, both := x.writes[k]
				require.False(t, both, "tx %d and %d write the same key %q", i, j, k)
			}
		}
	}
	events := decode[[]Event](t, e.ok(ids.farm, "GetLotEvents", "LOT-1"))
	var names []string
	for i, ev := range events {
		require.Equal(t, i+1, ev.Seq)
		names = append(names, ev.Name)
	}
	require.Equal(t, []string{EventLotHarvested, EventTransferProposed, EventTemperatureRecorded,
		EventTemperatureRecorded, EventCheckpointRecorded}, names)
	// a lot-changing event after the readings comes after them, with the next stored sequence
	e.ok(ids.farm, "CancelTransfer", "LOT-1")
	events = decode[[]Event](t, e.ok(ids.farm, "GetLotEvents", "LOT-1"))
	require.Equal(t, EventTransferCancelled, events[5].Name)
	require.Equal(t, 6, events[5].Seq)
}

func TestRecordTemperaturesBatch(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	lot := decode[Lot](t, e.ok(ids.farm, "RecordTemperatures", "LOT-1", readingsJSON(2, 5, 8)))
	require.Len(t, lot.Temperatures, 3)
	require.Equal(t, StatusHarvested, lot.Status)
	name, payload := e.lastEvent()
	require.Equal(t, EventTemperatureRecorded, name)
	require.Equal(t, 3.0, payload["count"])
	require.Equal(t, 2.0, payload["lowestCelsius"])
	require.Equal(t, 8.0, payload["highestCelsius"])
	require.Equal(t, 8.0, payload["celsius"])

	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperatures", "LOT-1", "[]")
	many := make([]float64, MaxReadingsPerBatch+1)
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperatures", "LOT-1", readingsJSON(many...))
	msg := e.fail(ids.farm, CodeInvalidArgument, "RecordTemperatures", "LOT-1", readingsJSON(4, 100.5))
	require.Contains(t, msg, "readingsJSON[1].celsius")
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperatures", "LOT-1", `[{"celsius":4,"sensor":"x"}]`)
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperatures", "LOT-1", `{"celsius":4}`)
	e.fail(ids.proc, CodeNotCustodian, "RecordTemperatures", "LOT-1", readingsJSON(4))
	e.fail(ids.farm, CodeNotFound, "RecordTemperatures", "LOT-9", readingsJSON(4))

	// one breach in the batch quarantines the lot; the alert names the breach
	lot = decode[Lot](t, e.ok(ids.farm, "RecordTemperatures", "LOT-1", readingsJSON(4, 11, 13, 5)))
	require.Equal(t, StatusQuarantined, lot.Status)
	require.True(t, lot.TemperatureBreach)
	name, payload = e.lastEvent()
	require.Equal(t, EventTemperatureAlert, name)
	require.Equal(t, 11.0, payload["celsius"])
	require.Equal(t, 4.0, payload["count"])
	require.Equal(t, StatusQuarantined, payload["status"])
	full := e.getLot("LOT-1")
	require.Equal(t, 7, full.Summary.Temperatures)
	require.Equal(t, 2, full.Summary.OutOfRange)
	require.Equal(t, 5.0, full.Summary.LastTemperature.Celsius)
	require.True(t, full.Summary.Breach)
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusQuarantined)), 1)
}

func TestLegacyLotKeepsInlineEntries(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	// a lot written by the previous contract version holds its readings inline
	lot := e.getLot("LOT-1")
	lot.Summary = nil
	lot.Temperatures = []TemperatureReading{{Celsius: 9, InRange: false, RecordedBy: "FarmMSP", TxID: "old", Timestamp: "2025-01-01T00:00:00.000Z"}}
	data, err := json.Marshal(lot)
	require.NoError(t, err)
	e.stub.state[lotKey("LOT-1")] = data
	e.ok(ids.farm, "RecordTemperature", "LOT-1", "4", "")
	full := e.getLot("LOT-1")
	require.Len(t, full.Temperatures, 2)
	require.Equal(t, 9.0, full.Temperatures[0].Celsius)
	require.True(t, full.Summary.Breach, "an inline out-of-range reading still counts as a breach")
}

func TestPagedLists(t *testing.T) {
	e := newEnv(t)
	e.setup()
	var want []string
	for i := 0; i < 25; i++ {
		id := fmt.Sprintf("L%02d", i)
		want = append(want, id)
		e.harvest(id, "1")
	}
	sort.Strings(want)
	e.toProcessor("L03")

	walk := func(fn string, pageSize int, args ...string) ([]string, int) {
		var got []string
		bookmark, pages := "", 0
		for {
			page := decode[LotPage](t, e.ok(ids.retail, fn, append(append(args, fmt.Sprint(pageSize)), bookmark)...))
			pages++
			require.Equal(t, len(page.Lots), page.Fetched)
			for _, l := range page.Lots {
				got = append(got, l.LotID)
			}
			if page.Bookmark == "" {
				return got, pages
			}
			bookmark = page.Bookmark
		}
	}
	got, pages := walk("ListLotsPage", 10)
	require.Equal(t, want, got)
	require.Equal(t, 3, pages)
	got, pages = walk("ListLotsPage", 5) // an exact multiple: no empty last page
	require.Equal(t, want, got)
	require.Equal(t, 5, pages)
	got, _ = walk("ListLotsByCustodianPage", 7, "FarmMSP")
	require.Len(t, got, 24)
	require.NotContains(t, got, "L03")
	got, _ = walk("ListLotsByStatusPage", 200, StatusReceived)
	require.Equal(t, []string{"L03"}, got)

	e.fail(ids.retail, CodeInvalidArgument, "ListLotsPage", "0", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsPage", "201", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsPage", "ten", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsByStatusPage", "sold", "10", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsByCustodianPage", "Farm MSP", "10", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsPage", "10", strings.Repeat("b", 1025))
	msg := e.fail(ids.retail, CodeInvalidArgument, "ListLotsPage", "10", "not base64!")
	require.Contains(t, msg, "BOOKMARK_INVALID")
	// a bookmark is printable and always lands inside the list it is used with
	page := decode[LotPage](t, e.ok(ids.retail, "ListLotsByCustodianPage", "FarmMSP", "2", ""))
	require.Regexp(t, `^[A-Za-z0-9_-]+$`, page.Bookmark)
	page = decode[LotPage](t, e.ok(ids.retail, "ListLotsPage", "1", page.Bookmark))
	require.Equal(t, "L02", page.Lots[0].LotID)

	for i := 0; i < 3; i++ {
		e.ok(ids.farm, "RecordTemperatures", "L00", readingsJSON(3, 4, 5))
	}
	var celsius []float64
	bookmark := ""
	for {
		p := decode[TemperaturePage](t, e.ok(ids.retail, "ListTemperatures", "L00", "4", bookmark))
		for _, r := range p.Readings {
			celsius = append(celsius, r.Celsius)
		}
		if p.Bookmark == "" {
			break
		}
		bookmark = p.Bookmark
	}
	require.Equal(t, []float64{3, 4, 5, 3, 4, 5, 3, 4, 5}, celsius)
	e.fail(ids.retail, CodeNotFound, "ListTemperatures", "NOPE", "4", "")
	e.fail(ids.retail, CodeInvalidArgument, "ListTemperatures", "NO PE", "4", "")
	e.fail(ids.retail, CodeInvalidArgument, "RecordTemperatures", "NO PE", readingsJSON(4))
}
