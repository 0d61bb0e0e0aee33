// Package broker tells live pages that something changed. A publisher names a topic (a release
// ID); every subscriber of that topic, and of AllTopics, is woken. Publishing never blocks: a
// subscriber that has not yet read its last wake-up simply stays woken, and reads what changed
// from the database, where every event is kept.
package broker

import "sync"

// AllTopics is the topic whose subscribers hear every publication (lists and dashboards).
const AllTopics = "*"

// Broker is an in-process publish/subscribe hub. The zero value is not usable; use New.
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// New returns an empty Broker.
func New() *Broker { return &Broker{subs: map[string]map[chan struct{}]struct{}{}} }

// Subscribe returns a channel that receives a value after each publication on topic (several
// publications may arrive as one), and a function that ends the subscription.
func (b *Broker) Subscribe(topic string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan struct{}]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[topic], ch)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		b.mu.Unlock()
	}
}

// Publish wakes the subscribers of topic and of AllTopics without waiting for any of them.
func (b *Broker) Publish(topic string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range []string{topic, AllTopics} {
		for ch := range b.subs[t] {
			select {
			case ch <- struct{}{}:
			default: // already woken; it will read everything new at once
			}
		}
	}
}

// Subscribers counts the current subscriptions, for metrics.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.subs {
		n += len(s)
	}
	return n
}
