package checkin

// BoardWork returns how many times the live board's hubs have read a
// ceremony's numbers for their streams and how many events they rendered,
// in this test binary: the tests of package checkin_test count the work
// an arrival costs with them.
func BoardWork() (computations, renders int64) {
	return boardComputations.Load(), boardRenders.Load()
}

// BoardFullReads returns how many times the live board read a ceremony's
// answers (rather than counting announced check-ins in those it keeps).
func BoardFullReads() int64 { return boardFullReads.Load() }
