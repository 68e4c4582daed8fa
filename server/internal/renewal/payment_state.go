package renewal

import (
	"fmt"
	"slices"

	"renewal/app/wire"
)

// PaymentStatus is a payment's own machine, apart from its application's.
type PaymentStatus = wire.PaymentStatus

const (
	PaymentPending   = wire.PaymentPending
	PaymentSucceeded = wire.PaymentSucceeded
	PaymentFailed    = wire.PaymentFailed
	PaymentRefunded  = wire.PaymentRefunded
)

// paymentMoves is the payment machine's one table. A failed payment may
// still succeed (gateways retry a declined card); refunded is final.
var paymentMoves = map[PaymentStatus][]PaymentStatus{
	PaymentPending:   {PaymentSucceeded, PaymentFailed, PaymentRefunded},
	PaymentFailed:    {PaymentSucceeded, PaymentRefunded},
	PaymentSucceeded: {PaymentRefunded},
}

// paymentMove checks a change of a payment's status against the table.
func paymentMove(from, to PaymentStatus) error {
	if !slices.Contains(paymentMoves[from], to) {
		return ErrWrongState.With(fmt.Errorf("payment %s to %s", from, to))
	}
	return nil
}
