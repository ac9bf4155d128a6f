package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const validPrice = `{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":2.35,"currency":"EUR","terms":"net 30","salt":"c2FsdHNhbHQ="}`

func TestSetPrice(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "10")
	price := map[string][]byte{TransientPriceField: []byte(validPrice)}

	e.failT(ids.proc, nil, CodeInvalidArgument, "SetPrice", "LOT-1")
	e.failT(ids.proc, map[string][]byte{"other": []byte(validPrice)}, CodeInvalidArgument, "SetPrice", "LOT-1")
	for _, bad := range []string{
		`not json`,
		`{"buyerMsp":"RetailerMSP"}`,
		strings.Replace(validPrice, `"EUR"`, `"eur"`, 1),
		strings.Replace(validPrice, `"EUR"`, `"EURO"`, 1),
		strings.Replace(validPrice, `2.35`, `0`, 1),
		strings.Replace(validPrice, `2.35`, `-1`, 1),
		strings.Replace(validPrice, `"RetailerMSP"`, `"Retailer MSP"`, 1),
		strings.Replace(validPrice, `"ProcessorMSP"`, `""`, 1),
		strings.Replace(validPrice, `"c2FsdHNhbHQ="`, `"short"`, 1),
		strings.Replace(validPrice, `"net 30"`, `"`+strings.Repeat("t", 1025)+`"`, 1),
		strings.Replace(validPrice, `}`, `,"discount":5}`, 1),
		validPrice + `{}`,
	} {
		e.failT(ids.proc, map[string][]byte{TransientPriceField: []byte(bad)}, CodeInvalidArgument, "SetPrice", "LOT-1")
	}
	e.failT(ids.farm, price, CodeForbidden, "SetPrice", "LOT-1")
	e.failT(ids.carrier, price, CodeForbidden, "SetPrice", "LOT-1")
	e.failT(ids.proc, price, CodeNotFound, "SetPrice", "LOT-9")
	e.failT(ids.proc, price, CodeInvalidArgument, "SetPrice", "LOT 1")

	e.fail(ids.retail, CodeNotFound, "GetPrice", "LOT-1")
	e.fail(ids.farm, CodeNotFound, "VerifyPrice", "LOT-1", validPrice)

	lot := decode[Lot](t, e.okT(ids.proc, price, "SetPrice", "LOT-1"))
	wantHash := sha256Hex([]byte(validPrice))
	require.Equal(t, wantHash, lot.PriceHash)
	require.Equal(t, []byte(validPrice), e.stub.private[PriceCollection][priceKey("LOT-1")])
	name, payload := e.lastEvent()
	require.Equal(t, EventPriceRecorded, name)
	require.Equal(t, wantHash, payload["priceHash"])
	require.NotContains(t, string(e.stub.events[0].payload), "2.35")
	for k, v := range e.stub.state {
		require.NotContains(t, string(v), "2.35", "price leaked into public key %q", k)
	}

	got := decode[PrivatePrice](t, e.ok(ids.retail, "GetPrice", "LOT-1"))
	require.Equal(t, PrivatePrice{LotID: "LOT-1", BuyerMsp: "RetailerMSP", SellerMsp: "ProcessorMSP", UnitPrice: 2.35, Currency: "EUR",
		Terms: "net 30", Salt: "c2FsdHNhbHQ=", Hash: wantHash, RawJSON: validPrice}, got)
	e.fail(ids.farm, CodeForbidden, "GetPrice", "LOT-1")
	e.fail(ids.carrier, CodeForbidden, "GetPrice", "LOT-1")
	e.fail(ids.retail, CodeNotFound, "GetPrice", "LOT-9")
	e.fail(ids.retail, CodeInvalidArgument, "GetPrice", "")

	v := decode[PriceVerification](t, e.ok(ids.farm, "VerifyPrice", "LOT-1", validPrice))
	require.Equal(t, PriceVerification{Match: true, Hash: wantHash, DisclosedHash: wantHash}, v)
	v = decode[PriceVerification](t, e.ok(ids.carrier, "VerifyPrice", "LOT-1", strings.Replace(validPrice, "2.35", "2.30", 1)))
	require.False(t, v.Match)
	require.Equal(t, wantHash, v.Hash)
	e.fail(ids.farm, CodeInvalidArgument, "VerifyPrice", "LOT-1", "")
	e.fail(ids.farm, CodeInvalidArgument, "VerifyPrice", "LOT-1", strings.Repeat(" ", MaxJSONBytes+1))
	e.fail(ids.farm, CodeInvalidArgument, "VerifyPrice", "", validPrice)
	e.fail(ids.farm, CodeNotFound, "VerifyPrice", "LOT-9", validPrice)

	// a new price replaces the old one
	newPrice := strings.Replace(validPrice, "2.35", "2.10", 1)
	e.okT(ids.retail, map[string][]byte{TransientPriceField: []byte(newPrice)}, "SetPrice", "LOT-1")
	require.True(t, decode[PriceVerification](t, e.ok(ids.farm, "VerifyPrice", "LOT-1", newPrice)).Match)
	require.Equal(t, 2.10, decode[PrivatePrice](t, e.ok(ids.proc, "GetPrice", "LOT-1")).UnitPrice)
}
