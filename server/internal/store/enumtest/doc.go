// Package enumtest holds the database's enumerations equal to their Go
// counterparts in app/wire and renewal. It has only tests; it sits
// outside store and renewal so that it imports both and neither
// depends on it.
package enumtest
