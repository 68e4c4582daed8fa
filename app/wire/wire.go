// Package wire holds the JSON shapes that the browser and the server
// exchange. It is compiled into both, so it imports nothing but the
// standard library.
package wire

// Service is one service a person can choose on the first screen: a
// Belarusian portal service (6.0.00, 6.0.01, 6.0.02) or a Russian
// centre's renewal path ("Я владелец", "По доверенности").
type Service struct {
	Code           string   `json:"code"`         // stable key, e.g. "by-6.0.00", "ru-owner"
	Jurisdiction   string   `json:"jurisdiction"` // "BY" or "RU"
	Role           string   `json:"role"`         // "owner", "employee" or "head"
	Number         string   `json:"number,omitempty"`
	TitleRU        string   `json:"title_ru"`
	TitleEN        string   `json:"title_en"`
	SummaryRU      string   `json:"summary_ru"`
	SummaryEN      string   `json:"summary_en"`
	RequirementsRU []string `json:"requirements_ru"`
	RequirementsEN []string `json:"requirements_en"`
	// FullName is the service's formal name, as documents write it
	// ("Продление квалифицированного сертификата … владельца …" for the
	// card titled "Я владелец").
	FullName Names `json:"full_name"`
}

// ServiceList is the answer of GET /api/v1/services.
type ServiceList struct {
	Services []Service `json:"services"`
}

// Error is the body of every refusal of the API. Message is in the
// language the client asked for (Accept-Language, Russian by default);
// both languages are always present.
type Error struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageRU string `json:"message_ru"`
	MessageEN string `json:"message_en"`
	RequestID string `json:"request_id"`
}
