package wire

import "time"

// Approval is what the head of an organisation sees: the organisation,
// and its employees' requests waiting for him.
type Approval struct {
	Jurisdiction string            `json:"jurisdiction"`
	OrgID        string            `json:"org_id"`
	Proven       bool              `json:"certificate_proven"`
	Head         string            `json:"head,omitempty"` // the proven head's name
	Requests     []ApprovalRequest `json:"requests"`
	Total        *Money            `json:"total,omitempty"` // BY: what the head pays for the confirmed requests
	Payment      *Payment          `json:"payment,omitempty"`
	Confirmed    string            `json:"confirmed,omitempty"` // id of the confirmation just signed
	// Paid is what the head paid last (Belarus), with its documents: the
	// page after payment shows it instead of an empty list.
	Paid      *ApprovalPaid `json:"paid,omitempty"`
	CSRFToken string        `json:"csrf_token"`
}

// ApprovalPaid is a paid payment of the head's with what it paid for.
type ApprovalPaid struct {
	Payment  Payment           `json:"payment"`
	Requests []ApprovalRequest `json:"requests"`
}

// ApprovalRequest is one employee's request.
type ApprovalRequest struct {
	ID                string    `json:"id"`
	Number            string    `json:"number"` // the application's number for people
	Employee          string    `json:"employee"`
	Title             string    `json:"title,omitempty"`        // the position
	Organisation      string    `json:"organisation,omitempty"` // from the certificate
	NotAfter          time.Time `json:"not_after"`              // the current certificate's end
	Service           string    `json:"service"`
	ServiceName       Names     `json:"service_name"`
	Tariff            string    `json:"tariff"`
	TariffName        Names     `json:"tariff_name"`
	Amount            Money     `json:"amount"`
	ApplicationSHA256 string    `json:"application_sha256"`
	State             string    `json:"state"` // StateAwaitingApproval, or StateApproved (waiting for the head's payment)
	Own               bool      `json:"own"`   // the head's own request: he may not confirm it
}

// ConfirmationRequest is POST /api/v1/approval/confirmation: the requests to confirm.
type ConfirmationRequest struct {
	Applications []string `json:"applications"`
}

// Confirmation is the document to sign, exactly as the server keeps it.
type Confirmation struct {
	ID       string `json:"id"`
	Document []byte `json:"document"` // UTF-8 text
}

// ConfirmationSignature is POST /api/v1/approval/confirmation/{id}/signature.
type ConfirmationSignature struct {
	Signature []byte `json:"signature"` // detached CMS over Document
}

// Decline is POST /api/v1/approval/decline.
type Decline struct {
	Application string `json:"application"`
	Reason      string `json:"reason"`
}
