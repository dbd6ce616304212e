package funnel

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// edgeAmounts are the values where checked arithmetic goes wrong first.
var edgeAmounts = []int64{0, 1, -1, 2, -2, 3, 100, MaxQuantity, MaxAmount, -MaxAmount, 1 << 31, 1 << 32,
	3037000499, 3037000500, -3037000500, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
	math.MaxInt64 / 2, math.MinInt64 / 2, math.MaxInt32, math.MinInt32}

// checkedAgainstBig fails the test unless MulAmount and AddAmount of a and
// b give the exact product and sum, or false exactly when it does not fit
// in an int64.
func checkedAgainstBig(t *testing.T, a, b int64) {
	t.Helper()
	fits := func(x *big.Int) bool { return x.IsInt64() }
	exactMul := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	if got, ok := MulAmount(a, b); ok != fits(exactMul) || (ok && got != exactMul.Int64()) || (!ok && got != 0) {
		t.Errorf("MulAmount(%d, %d) = %d, %v; exact %s", a, b, got, ok, exactMul)
	}
	exactAdd := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
	if got, ok := AddAmount(a, b); ok != fits(exactAdd) || (ok && got != exactAdd.Int64()) || (!ok && got != 0) {
		t.Errorf("AddAmount(%d, %d) = %d, %v; exact %s", a, b, got, ok, exactAdd)
	}
}

// TestCheckedArithmetic: the product and sum are exact or refused, never
// wrapped, at the edges and over random operands of every magnitude.
func TestCheckedArithmetic(t *testing.T) {
	for _, a := range edgeAmounts {
		for _, b := range edgeAmounts {
			checkedAgainstBig(t, a, b)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 100_000 {
		// A random magnitude, so that small and huge operands both occur.
		a := rng.Int64() >> rng.IntN(64)
		b := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			a = -a
		}
		if rng.IntN(2) == 0 {
			b = -b
		}
		checkedAgainstBig(t, a, b)
	}
}

func TestAmountBounds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"19.99", 1999, true},
		{"100000000000.00", MaxAmount, true},
		{"100000000000.01", 0, false},
		{"-0.01", 0, false},
		{"-0.00", 0, true},
		{"92233720368547758.07", 0, false},
		{"not money", 0, false},
	} {
		got, err := ParseAmount(tt.in)
		var me *MoneyError
		if (err == nil) != tt.ok || got != tt.want || (err != nil && (!errors.As(err, &me) || me.Input != tt.in)) {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, v := range []int64{-1, MaxAmount + 1, math.MaxInt64, math.MinInt64} {
		if CheckAmount(v) == nil {
			t.Errorf("CheckAmount(%d) accepted it", v)
		}
	}
	for _, v := range []int64{0, 1, MaxAmount} {
		if err := CheckAmount(v); err != nil {
			t.Errorf("CheckAmount(%d) = %v", v, err)
		}
	}
	// The bounds keep what is summed within int64 and int32.
	if _, ok := MulAmount(MaxAmount, 900_000); !ok {
		t.Errorf("900,000 sessions at the largest amount overflow int64")
	}
	if MaxItems > math.MaxInt32 || MaxQuantity > MaxItems {
		t.Errorf("MaxItems %d does not fit item_count (INTEGER) or is below MaxQuantity", MaxItems)
	}
}
