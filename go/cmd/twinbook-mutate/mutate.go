package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Mutant is one textual edit of the answer file: bytes [Start, End) replaced by
// Replacement.
type Mutant struct {
	Operator    string `json:"operator"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Replacement string `json:"replacement"`
	Description string `json:"description"`
	// Label, when set, is what the mutant's id quotes as the original code instead of the
	// replaced bytes: a lock/unlock pair spans the code between them, which is not what
	// was changed.
	Label string `json:"label,omitempty"`
	// Shown, when set, is what the id quotes as the replacement (a swap quotes the two
	// statements, not what lies between them).
	Shown string `json:"shown,omitempty"`
	// ContextStart and ContextEnd, when set, are the code around the change the id quotes
	// before and after it (the expression an operator token belongs to): a lone "-" says
	// little, "now - last -> now + last" says which.
	ContextStart int `json:"context_start"`
	ContextEnd   int `json:"context_end"`
}

// The operators' names, shared with the Python mutator so a report reads the same in both
// languages. When two operators make the same edit, the earlier in this list names it
// (removing `close(ch)` is a close removal before it is a statement removal).
var operators = []string{
	"lock-removal",
	"close-removal",
	"wait-removal",
	"defer-removal",
	"context-check",
	"select-case",
	"capacity",
	"return-value",
	"not-removal",
	"arithmetic",
	"comparison",
	"boolean",
	"boundary-constant",
	"swap-statements",
	"statement-removal",
}

// Mutants parses a Go answer file and returns its mutants, ordered by position.
func Mutants(src []byte) ([]Mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "answer.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parsing the answer file: %w", err)
	}
	m := &mutator{src: src, file: fset.File(f.Pos()), bodies: map[*ast.BlockStmt]bool{}}
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil {
			m.bodies[fn.Body] = true
			ast.Walk(visitor{m: m, results: fn.Type.Results}, fn.Body)
		}
	}
	return dedupe(m.out), nil
}

type mutator struct {
	src  []byte
	file *token.File
	out  []Mutant
	// bodies are the functions' own blocks: their last return cannot go
	bodies map[*ast.BlockStmt]bool
}

func (m *mutator) off(p token.Pos) int { return m.file.Offset(p) }

func (m *mutator) text(n ast.Node) string { return string(m.src[m.off(n.Pos()):m.off(n.End())]) }

func (m *mutator) add(op string, start, end int, replacement, description string) {
	m.out = append(m.out, Mutant{
		Operator: op, Start: start, End: end, Replacement: replacement, Description: description,
		ContextStart: -1, ContextEnd: -1,
	})
}

// around sets the quoted context of the mutants added since index from to node.
func (m *mutator) around(from int, node ast.Node) {
	if node == nil {
		return
	}
	for i := from; i < len(m.out); i++ {
		m.out[i].ContextStart, m.out[i].ContextEnd = m.off(node.Pos()), m.off(node.End())
	}
}

func (m *mutator) replaceNode(op string, n ast.Node, replacement, description string) {
	m.add(op, m.off(n.Pos()), m.off(n.End()), replacement, description)
}

// visitor walks one function body; results are the result types of the innermost
// function (declaration or literal), for the return-value operator's zero values.
type visitor struct {
	m       *mutator
	results *ast.FieldList
	parent  ast.Node // of the node visited
}

func (v visitor) Visit(node ast.Node) ast.Visitor {
	m := v.m
	from := len(m.out)
	switch n := node.(type) {
	case *ast.FuncLit:
		m.bodies[n.Body] = true
		return visitor{m: m, results: n.Type.Results, parent: n}
	case *ast.BinaryExpr:
		m.binary(n)
		m.around(from, n)
	case *ast.UnaryExpr:
		if n.Op == token.NOT {
			m.replaceNode("not-removal", n, m.text(n.X), "drop the !")
		}
	case *ast.BasicLit:
		m.boundary(n)
		if stmt, isStmt := v.parent.(ast.Stmt); !isStmt || simple(stmt) || isReturn(stmt) {
			m.around(from, v.parent)
		} else {
			m.around(from, n)
		}
	case *ast.AssignStmt:
		if swap, ok := assignSwaps[n.Tok]; ok {
			m.token("arithmetic", n.TokPos, n.Tok, swap)
			m.around(from, n)
		}
	case *ast.IncDecStmt:
		swap := map[token.Token]token.Token{token.INC: token.DEC, token.DEC: token.INC}[n.Tok]
		m.token("arithmetic", n.TokPos, n.Tok, swap)
		m.around(from, n)
	case *ast.BlockStmt:
		m.block(n.List, m.bodies[n])
	case *ast.CaseClause:
		m.block(n.Body, false)
	case *ast.CommClause:
		m.block(n.Body, false)
	case *ast.ReturnStmt:
		m.returns(n, v.results)
		m.around(from, n)
	case *ast.SelectStmt:
		m.selectCases(n)
	case *ast.CallExpr:
		m.call(n, v.parent)
	}
	return visitor{m: m, results: v.results, parent: node}
}

var binarySwaps = map[token.Token]struct {
	op   string
	swap token.Token
}{
	token.ADD:  {"arithmetic", token.SUB},
	token.SUB:  {"arithmetic", token.ADD},
	token.MUL:  {"arithmetic", token.QUO},
	token.QUO:  {"arithmetic", token.MUL},
	token.REM:  {"arithmetic", token.MUL},
	token.LSS:  {"comparison", token.LEQ},
	token.LEQ:  {"comparison", token.LSS},
	token.GTR:  {"comparison", token.GEQ},
	token.GEQ:  {"comparison", token.GTR},
	token.EQL:  {"comparison", token.NEQ},
	token.NEQ:  {"comparison", token.EQL},
	token.LAND: {"boolean", token.LOR},
	token.LOR:  {"boolean", token.LAND},
}

var assignSwaps = map[token.Token]token.Token{
	token.ADD_ASSIGN: token.SUB_ASSIGN,
	token.SUB_ASSIGN: token.ADD_ASSIGN,
	token.MUL_ASSIGN: token.QUO_ASSIGN,
	token.QUO_ASSIGN: token.MUL_ASSIGN,
}

func (m *mutator) token(op string, pos token.Pos, from, to token.Token) {
	start := m.off(pos)
	m.add(op, start, start+len(from.String()), to.String(), from.String()+" -> "+to.String())
}

func (m *mutator) binary(n *ast.BinaryExpr) {
	if s, ok := binarySwaps[n.Op]; ok {
		m.token(s.op, n.OpPos, n.Op, s.swap)
	}
}

// boundary moves an integer literal n to n+1, n-1, 0 and 1 (each once, never to n itself
// nor below zero).
func (m *mutator) boundary(n *ast.BasicLit) {
	if n.Kind != token.INT {
		return
	}
	value, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil {
		return
	}
	seen := map[int64]bool{value: true}
	for _, to := range []int64{value + 1, value - 1, 0, 1} {
		if to < 0 || seen[to] {
			continue
		}
		seen[to] = true
		m.replaceNode("boundary-constant", n, strconv.FormatInt(to, 10), n.Value+" -> "+strconv.FormatInt(to, 10))
	}
}

// block mutates the statements of one list: removing each, swapping neighbours, and
// removing a lock together with its unlock.
func (m *mutator) block(list []ast.Stmt, body bool) {
	for i, stmt := range list {
		m.removal(stmt, body && i == len(list)-1)
		if i+1 < len(list) && simple(stmt) && simple(list[i+1]) && m.text(stmt) != m.text(list[i+1]) &&
			!independent(stmt, list[i+1]) {
			a, b := list[i], list[i+1]
			between := string(m.src[m.off(a.End()):m.off(b.Pos())])
			m.add("swap-statements", m.off(a.Pos()), m.off(b.End()), m.text(b)+between+m.text(a),
				"swap with the next statement")
			m.out[len(m.out)-1].Label = m.text(a) + "; " + m.text(b)
			m.out[len(m.out)-1].Shown = m.text(b) + "; " + m.text(a)
		}
		if recv, unlock, ok := lockCall(stmt); ok {
			m.lockPair(list[i:], recv, unlock)
		}
	}
}

// removal deletes one statement. Declarations, the last return of a function and an unlock
// on its own are left alone: the first two do not compile without them (the compiler
// would say so, at the cost of a build), the third is the lock pair's business.
func (m *mutator) removal(stmt ast.Stmt, last bool) {
	switch s := stmt.(type) {
	case *ast.DeclStmt, *ast.LabeledStmt, *ast.EmptyStmt:
		return
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			return
		}
	case *ast.ReturnStmt:
		if last && len(s.Results) > 0 {
			return
		}
	case *ast.DeferStmt:
		if _, unlock := unlockName(s.Call); unlock {
			return
		}
		m.replaceNode("defer-removal", s, "", "remove the defer")
		return
	case *ast.ExprStmt:
		call, ok := s.X.(*ast.CallExpr)
		if !ok {
			break
		}
		if _, unlock := unlockName(call); unlock {
			return
		}
		if _, _, lock := lockCall(s); lock {
			return
		}
		if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "close" {
			m.replaceNode("close-removal", s, "", "remove the close")
			return
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" && len(call.Args) == 0 {
			m.replaceNode("wait-removal", s, "", "remove the Wait")
			return
		}
	}
	m.replaceNode("statement-removal", stmt, "", "remove the statement")
}

// pureCalls are the builtins and conversions that have no effect an assignment's order
// could show.
var pureCalls = map[string]bool{
	"len": true, "cap": true, "min": true, "max": true, "float64": true, "float32": true,
	"int": true, "int64": true, "int32": true, "uint": true, "uint64": true, "string": true,
	"bool": true, "time.Duration": true,
}

// independent reports whether two assignments call nothing but pure builtins and neither
// reads nor writes what the other writes: swapping them is an equivalent mutant by
// construction, so none is made (`b.calls = 0; b.failed = 0`).
func independent(a, b ast.Stmt) bool {
	wa, ra, okA := effects(a)
	wb, rb, okB := effects(b)
	return okA && okB && !touch(wa, append(wb, rb...)) && !touch(wb, ra)
}

// effects are the chains an assignment writes and reads; ok is false for one that calls
// something, or is not an assignment.
func effects(s ast.Stmt) (writes, reads []string, ok bool) {
	var lhs, rhs []ast.Expr
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			return nil, nil, false
		}
		lhs, rhs = s.Lhs, s.Rhs
		if s.Tok != token.ASSIGN {
			rhs = append(rhs, s.Lhs...) // x += y reads x
		}
	case *ast.IncDecStmt:
		lhs, rhs = []ast.Expr{s.X}, []ast.Expr{s.X}
	default:
		return nil, nil, false
	}
	pure := true
	for _, e := range append(append([]ast.Expr{}, lhs...), rhs...) {
		ast.Inspect(e, func(n ast.Node) bool {
			if call, isCall := n.(*ast.CallExpr); isCall && !pureCalls[chain(call.Fun)] {
				pure = false
			}
			return pure
		})
	}
	for _, e := range lhs {
		writes = append(writes, chain(e))
		if index, isIndex := e.(*ast.IndexExpr); isIndex {
			reads = append(reads, readsOf(index.Index)...)
		}
	}
	for _, e := range rhs {
		reads = append(reads, readsOf(e)...)
	}
	return writes, reads, pure
}

// chain is `b.window` for a selector chain, the base's chain for an index or a
// dereference, and "?" for anything else (taken to touch everything).
func chain(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return chain(e.X) + "." + e.Sel.Name
	case *ast.IndexExpr:
		return chain(e.X)
	case *ast.StarExpr:
		return chain(e.X)
	case *ast.ParenExpr:
		return chain(e.X)
	}
	return "?"
}

// readsOf are the longest chains an expression reads (b.calls, not also b).
func readsOf(e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident, *ast.SelectorExpr:
			out = append(out, chain(n.(ast.Expr)))
			return false
		case *ast.CallExpr:
			for _, arg := range n.Args {
				out = append(out, readsOf(arg)...)
			}
			return false
		}
		return true
	})
	return out
}

func touch(writes, others []string) bool {
	for _, w := range writes {
		for _, o := range others {
			if w == "?" || o == "?" || w == o || strings.HasPrefix(o, w+".") || strings.HasPrefix(w, o+".") {
				return true
			}
		}
	}
	return false
}

func isReturn(s ast.Stmt) bool {
	_, ok := s.(*ast.ReturnStmt)
	return ok
}

// simple statements are the ones swapped with their neighbour: single actions, not
// blocks or declarations.
func simple(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ExprStmt, *ast.IncDecStmt, *ast.SendStmt:
		return true
	case *ast.AssignStmt:
		return s.Tok != token.DEFINE
	}
	return false
}

// lockCall recognises `x.Lock()` / `x.RLock()` as a statement: the receiver's text and the
// matching unlock's name.
func lockCall(stmt ast.Stmt) (recv, unlock string, ok bool) {
	expr, isExpr := stmt.(*ast.ExprStmt)
	if !isExpr {
		return "", "", false
	}
	call, isCall := expr.X.(*ast.CallExpr)
	if !isCall || len(call.Args) != 0 {
		return "", "", false
	}
	sel, isSel := call.Fun.(*ast.SelectorExpr)
	if !isSel {
		return "", "", false
	}
	switch sel.Sel.Name {
	case "Lock":
		return receiver(sel.X), "Unlock", true
	case "RLock":
		return receiver(sel.X), "RUnlock", true
	}
	return "", "", false
}

// receiver renders a receiver expression (x, l.mu, s.state.mu) for comparing locks with
// unlocks.
func receiver(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return receiver(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + receiver(e.X)
	case *ast.ParenExpr:
		return receiver(e.X)
	}
	return fmt.Sprintf("%T", e)
}

// unlockName recognises `x.Unlock()` / `x.RUnlock()`: the receiver's text.
func unlockName(call *ast.CallExpr) (string, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) != 0 || (sel.Sel.Name != "Unlock" && sel.Sel.Name != "RUnlock") {
		return "", false
	}
	return receiver(sel.X) + "." + sel.Sel.Name, true
}

// lockPair removes list[0] (a lock of recv) together with every unlock of it that follows
// in the same list: at its level (`mu.Unlock()` or `defer mu.Unlock()`) or nested in the
// statements between (the unlocks before an early return). The edit spans from the lock
// to the last unlock at its level (or to the end of the list), keeping what is between.
func (m *mutator) lockPair(list []ast.Stmt, recv, unlock string) {
	want := recv + "." + unlock
	isUnlock := func(n ast.Node) bool {
		var call *ast.CallExpr
		switch s := n.(type) {
		case *ast.ExprStmt:
			call, _ = s.X.(*ast.CallExpr)
		case *ast.DeferStmt:
			call = s.Call
		}
		if call == nil {
			return false
		}
		name, ok := unlockName(call)
		return ok && name == want
	}
	end := len(list) - 1
	for i := 1; i < len(list); i++ {
		if isUnlock(list[i]) {
			end = i
			break
		}
		if _, again, ok := lockCall(list[i]); ok && again == unlock && m.text(list[i]) == m.text(list[0]) {
			end = i - 1 // locked again further down: that lock is another pair
			break
		}
	}
	start, stop := m.off(list[0].Pos()), m.off(list[end].End())
	// the cuts inside [start, stop): the lock, and every unlock of it down to list[end]
	type cut struct{ from, to int }
	cuts := []cut{{start, m.off(list[0].End())}}
	unlocks := []string{}
	for _, stmt := range list[1 : end+1] {
		ast.Inspect(stmt, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false // a closure's unlock is its own business
			}
			if isUnlock(n) {
				cuts = append(cuts, cut{m.off(n.Pos()), m.off(n.End())})
				unlocks = append(unlocks, m.text(n))
				return false
			}
			return true
		})
	}
	if len(unlocks) == 0 {
		return // a lock released elsewhere: not a pair this operator can remove
	}
	var b strings.Builder
	at := start
	for _, c := range cuts {
		b.Write(m.src[at:c.from])
		at = c.to
	}
	b.Write(m.src[at:stop])
	label := m.text(list[0]) + " … " + strings.Join(unique(unlocks), " … ")
	m.out = append(m.out, Mutant{
		Operator: "lock-removal", Start: start, End: stop, Replacement: b.String(),
		Description: "remove the lock and its unlock", Label: label,
		ContextStart: -1, ContextEnd: -1,
	})
}

func unique(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// returns changes each returned value to its type's zero value, and a returned bool to
// its negation.
func (m *mutator) returns(n *ast.ReturnStmt, results *ast.FieldList) {
	if results == nil || len(n.Results) == 0 {
		return
	}
	var kinds []ast.Expr
	for _, field := range results.List {
		count := max(len(field.Names), 1)
		for range count {
			kinds = append(kinds, field.Type)
		}
	}
	if len(kinds) != len(n.Results) {
		return // return f() of a multi-valued call
	}
	for i, value := range n.Results {
		text := m.text(value)
		if id, ok := value.(*ast.Ident); ok && (id.Name == "true" || id.Name == "false") {
			flip := map[string]string{"true": "false", "false": "true"}[id.Name]
			m.replaceNode("return-value", value, flip, "return "+flip)
			continue
		}
		zero := m.zero(kinds[i])
		if lit, ok := value.(*ast.CompositeLit); ok && len(lit.Elts) == 0 && lit.Type != nil {
			zero = text // T{} is already the zero value of a struct, array or slice type
		}
		if zero != text && text != "nil" {
			m.replaceNode("return-value", value, zero, "return the zero value")
		}
		if id, ok := kinds[i].(*ast.Ident); ok && id.Name == "bool" {
			m.replaceNode("return-value", value, "!("+text+")", "return the negation")
		}
	}
}

// zero is the zero value of a result type, written from its syntax (no type checking):
// a literal for the basic types and nil for the reference kinds, *new(T) otherwise.
func (m *mutator) zero(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.Ident:
		switch t.Name {
		case "bool":
			return "false"
		case "string":
			return `""`
		case "error", "any":
			return "nil"
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
			"uint64", "uintptr", "float32", "float64", "byte", "rune", "complex64", "complex128":
			return "0"
		}
	case *ast.StarExpr, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType:
		return "nil"
	case *ast.ArrayType:
		if t.Len == nil {
			return "nil"
		}
	}
	return "*new(" + m.text(t) + ")"
}

// selectCases removes each case of a select that has more than one (a select left with
// no case would block for ever: a test timeout, not a finding).
func (m *mutator) selectCases(n *ast.SelectStmt) {
	if len(n.Body.List) < 2 {
		return
	}
	for _, c := range n.Body.List {
		clause := c.(*ast.CommClause)
		op, what := "select-case", "remove the select case"
		if clause.Comm == nil {
			what = "remove the select's default case"
		} else if strings.Contains(m.text(clause.Comm), ".Done()") {
			op, what = "context-check", "remove the <-ctx.Done() case"
		}
		m.replaceNode(op, clause, "", what)
	}
}

// call mutates channel capacities (make(chan T, n)) and context checks (ctx.Err()).
func (m *mutator) call(n *ast.CallExpr, parent ast.Node) {
	if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Err" && len(n.Args) == 0 {
		from := len(m.out)
		m.replaceNode("context-check", n, "nil", "the context is never done")
		if _, isExpr := parent.(ast.Expr); isExpr {
			m.around(from, parent)
		}
		return
	}
	from := len(m.out)
	defer m.around(from, n)
	id, ok := n.Fun.(*ast.Ident)
	if !ok || id.Name != "make" || len(n.Args) == 0 {
		return
	}
	if _, ok := n.Args[0].(*ast.ChanType); !ok {
		return
	}
	if len(n.Args) == 1 {
		at := m.off(n.Args[0].End())
		m.add("capacity", at, at, ", 1", "buffer the channel (capacity 1)")
		return
	}
	capacity := n.Args[1]
	text := m.text(capacity)
	if lit, ok := capacity.(*ast.BasicLit); ok && lit.Kind == token.INT {
		// n±1 and 0 come from boundary-constant on the literal; the capacity operator
		// names them
		value, err := strconv.ParseInt(lit.Value, 0, 64)
		if err == nil {
			for _, to := range []int64{value + 1, value - 1} {
				if to > 0 {
					m.replaceNode("capacity", capacity, strconv.FormatInt(to, 10), "capacity "+text+" -> "+strconv.FormatInt(to, 10))
				}
			}
		}
	} else {
		m.replaceNode("capacity", capacity, "("+text+")+1", "capacity "+text+" -> "+text+"+1")
		m.replaceNode("capacity", capacity, "("+text+")-1", "capacity "+text+" -> "+text+"-1")
	}
	m.add("capacity", m.off(n.Args[0].End()), m.off(capacity.End()), "", "unbuffered channel")
}

// dedupe keeps one mutant per edit, named by the earliest operator in operators, ordered
// by position.
func dedupe(all []Mutant) []Mutant {
	rank := map[string]int{}
	for i, op := range operators {
		rank[op] = i
	}
	type key struct {
		start, end  int
		replacement string
	}
	best := map[key]Mutant{}
	for _, mu := range all {
		k := key{mu.Start, mu.End, mu.Replacement}
		if old, ok := best[k]; !ok || rank[mu.Operator] < rank[old.Operator] {
			best[k] = mu
		}
	}
	out := make([]Mutant, 0, len(best))
	for _, mu := range best {
		out = append(out, mu)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.Replacement < b.Replacement
	})
	return out
}
