package contract

import (
	"encoding/json"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// A lot's inputs, checkpoints and temperature readings are stored under keys of their own
// (keys.go: input~, checkpoint~, temp~). Writing one costs the same after 1 or 1,000 earlier
// entries, the history database keeps each entry once instead of every version of a growing
// document, and readings from several sensors on one lot never write the same key.
//
// The summary (counts, last reading, min/max) is derived when a lot is read rather than kept
// in a stored record: a stored summary would be rewritten by every reading and so become the
// one hot key that every sensor of the lot conflicts on. Only the breach flag is stored on the
// lot, because a breach changes the lot's status anyway.

// EntrySummary sums up a lot's entries (GetLot, TraceLot, CheckAuthenticity).
type EntrySummary struct {
	Inputs       int `json:"inputs"`
	Checkpoints  int `json:"checkpoints"`
	Temperatures int `json:"temperatures"`
	OutOfRange   int `json:"outOfRange"`
	// MinCelsius and MaxCelsius are 0 while there are no readings.
	MinCelsius      float64             `json:"minCelsius"`
	MaxCelsius      float64             `json:"maxCelsius"`
	LastTemperature *TemperatureReading `json:"lastTemperature"`
	LastCheckpoint  *Checkpoint         `json:"lastCheckpoint"`
	Breach          bool                `json:"breach"`
}

// TemperatureSample is one entry of RecordTemperatures' readingsJSON.
type TemperatureSample struct {
	Celsius  float64 `json:"celsius"`
	Location string  `json:"location"`
}

// putEntry stores one entry of a lot under its own key.
func (t *txn) putEntry(objectType, lotID string, n int, v any) error {
	return putJSON(t.stub, entryKey(objectType, lotID, t.now, t.txID, n), v)
}

// entries decodes every entry of one kind of a lot, in key (= time) order.
func entries[T any](stub shim.ChaincodeStubInterface, objectType, lotID string) ([]T, error) {
	out := []T{}
	err := iterate(stub, objectType, []string{lotID}, func(_ string, value []byte) error {
		var v T
		if err := json.Unmarshal(value, &v); err != nil {
			return newError("CORRUPT_LEDGER_RECORD", Params{"error": err})
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// assembleLot fills the lot's entry lists from their keys (after any entries a lot written by
// an earlier version of the contract still holds inline) and computes its summary. Queries use
// it; submit transactions do not, so their read sets hold no range that a sensor could change.
func assembleLot(stub shim.ChaincodeStubInterface, lot *Lot) error {
	inputs, err := entries[Input](stub, objInput, lot.LotID)
	if err != nil {
		return err
	}
	checkpoints, err := entries[Checkpoint](stub, objCheckpoint, lot.LotID)
	if err != nil {
		return err
	}
	temperatures, err := entries[TemperatureReading](stub, objTemperature, lot.LotID)
	if err != nil {
		return err
	}
	lot.Inputs = append(lot.Inputs, inputs...)
	lot.Checkpoints = append(lot.Checkpoints, checkpoints...)
	lot.Temperatures = append(lot.Temperatures, temperatures...)
	lot.Summary = summarizeEntries(lot)
	return nil
}

func summarizeEntries(lot *Lot) *EntrySummary {
	s := &EntrySummary{
		Inputs: len(lot.Inputs), Checkpoints: len(lot.Checkpoints), Temperatures: len(lot.Temperatures),
		Breach: lot.TemperatureBreach,
	}
	for i, r := range lot.Temperatures {
		if i == 0 || r.Celsius < s.MinCelsius {
			s.MinCelsius = r.Celsius
		}
		if i == 0 || r.Celsius > s.MaxCelsius {
			s.MaxCelsius = r.Celsius
		}
		if !r.InRange {
			s.OutOfRange++
			s.Breach = true // lots from before the breach flag existed
		}
	}
	if n := len(lot.Temperatures); n > 0 {
		last := lot.Temperatures[n-1]
		s.LastTemperature = &last
	}
	if n := len(lot.Checkpoints); n > 0 {
		last := lot.Checkpoints[n-1]
		s.LastCheckpoint = &last
	}
	return s
}
