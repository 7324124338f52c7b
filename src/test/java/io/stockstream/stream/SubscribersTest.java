package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscribersTest {

  private static final int SYMBOLS = 5;

  private static Connection connection(String id) {
    return new Connection(null, null, null, UUID.nameUUIDFromBytes(id.getBytes()), 20, 40, 0L);
  }

  private static List<Connection> connections(int n) {
    List<Connection> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(connection("c" + i));
    }
    return out;
  }

  private static List<Connection> members(Subscribers s) {
    List<Connection> out = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      out.add(s.get(i));
    }
    return out;
  }

  /** Every member sits in the slot it remembers for {@code symbol}. */
  private static void assertSlotsConsistent(Subscribers s, int symbol) {
    for (int i = 0; i < s.size(); i++) {
      assertThat(s.get(i)).as("slot %d", i).isNotNull();
      assertThat(s.get(i).slot(symbol)).as("slot of %s", s.get(i).id).isEqualTo(i);
      assertThat(s.get(i).subscribed(symbol)).isTrue();
    }
  }

  @Test
  void aFreshConnectionIsSubscribedToNothing() {
    Connection c = connection("c");
    assertThat(c.subscriptions()).isZero();
    assertThat(c.subscribedSymbols()).isEmpty();
    for (int symbol = 0; symbol < SYMBOLS; symbol++) {
      assertThat(c.subscribed(symbol)).isFalse();
      assertThat(c.slot(symbol)).isEqualTo(-1);
    }
  }

  @Test
  void addedConnectionsTakeTheNextSlotsInOrder() {
    Subscribers s = new Subscribers(2);
    List<Connection> cs = connections(3);
    cs.forEach(s::add);

    assertThat(s.size()).isEqualTo(3);
    assertThat(members(s)).containsExactlyElementsOf(cs);
    assertSlotsConsistent(s, 2);
    for (Connection c : cs) {
      assertThat(c.subscriptions()).isEqualTo(1);
      assertThat(c.subscribedSymbols()).containsExactly(2);
      assertThat(c.subscribed(1)).isFalse();
    }
  }

  @Test
  void removingFromTheMiddleMovesTheLastIntoTheHole() {
    Subscribers s = new Subscribers(0);
    List<Connection> cs = connections(4);
    cs.forEach(s::add);

    s.remove(cs.get(1));

    assertThat(s.size()).isEqualTo(3);
    assertThat(members(s)).containsExactly(cs.get(0), cs.get(3), cs.get(2));
    assertThat(cs.get(3).slot(0)).isEqualTo(1);
    assertSlotsConsistent(s, 0);
    assertThat(cs.get(1).subscribed(0)).isFalse();
    assertThat(cs.get(1).slot(0)).isEqualTo(-1);
    assertThat(cs.get(1).subscriptions()).isZero();
    assertThat(cs.get(3).subscriptions()).as("moved, still subscribed once").isEqualTo(1);
  }

  @Test
  void removingTheFirstMovesTheLastToTheFront() {
    Subscribers s = new Subscribers(0);
    List<Connection> cs = connections(3);
    cs.forEach(s::add);

    s.remove(cs.get(0));

    assertThat(members(s)).containsExactly(cs.get(2), cs.get(1));
    assertSlotsConsistent(s, 0);
  }

  @Test
  void removingTheLastLeavesTheOthersInPlace() {
    Subscribers s = new Subscribers(0);
    List<Connection> cs = connections(3);
    cs.forEach(s::add);

    s.remove(cs.get(2));

    assertThat(members(s)).containsExactly(cs.get(0), cs.get(1));
    assertSlotsConsistent(s, 0);
    assertThat(cs.get(2).subscribed(0)).isFalse();
    assertThat(cs.get(2).subscriptions()).isZero();
  }

  @Test
  void removingTheOnlyOneEmptiesTheListAndFreesTheSlot() {
    Subscribers s = new Subscribers(0);
    Connection c = connection("only");
    s.add(c);

    s.remove(c);

    assertThat(s.size()).isZero();
    assertThat(s.get(0)).as("no stale reference kept").isNull();
    assertThat(c.subscribed(0)).isFalse();
    assertThat(c.subscriptions()).isZero();
    assertThat(c.subscribedSymbols()).isEmpty();
  }

  @Test
  void aVacatedSlotHoldsNoStaleReference() {
    Subscribers s = new Subscribers(0);
    List<Connection> cs = connections(3);
    cs.forEach(s::add);

    s.remove(cs.get(0));

    assertThat(s.get(2)).isNull();
  }

  @ParameterizedTest(name = "{0} connections")
  @ValueSource(ints = {4, 5, 8, 9, 100})
  void theListGrowsPastItsInitialCapacity(int n) {
    Subscribers s = new Subscribers(1);
    List<Connection> cs = connections(n);
    cs.forEach(s::add);

    assertThat(s.size()).isEqualTo(n);
    assertThat(members(s)).containsExactlyElementsOf(cs);
    assertSlotsConsistent(s, 1);
  }

  @Test
  void addAndRemoveInAnyOrderKeepsSlotsConsistent() {
    Subscribers s = new Subscribers(3);
    List<Connection> cs = connections(10);
    cs.forEach(s::add);
    List<Connection> expected = new ArrayList<>(cs);
    for (int i : new int[] {9, 0, 4, 6, 2}) {
      s.remove(cs.get(i));
      expected.remove(cs.get(i));
      assertSlotsConsistent(s, 3);
    }
    s.add(cs.get(0));
    expected.add(cs.get(0));
    assertSlotsConsistent(s, 3);

    assertThat(members(s)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(s.get(s.size() - 1)).isSameAs(cs.get(0));
    for (Connection c : cs) {
      assertThat(c.subscribed(3)).as(c.id.toString()).isEqualTo(expected.contains(c));
    }
  }

  @Test
  void aConnectionSubscribedToSeveralSymbolsHasASlotInEach() {
    Subscribers a = new Subscribers(0);
    Subscribers b = new Subscribers(2);
    Subscribers c = new Subscribers(4);
    Connection other = connection("other");
    Connection many = connection("many");
    b.add(other);
    a.add(many);
    b.add(many);
    c.add(many);

    assertThat(many.subscriptions()).isEqualTo(3);
    assertThat(many.subscribedSymbols()).containsExactly(0, 2, 4);
    assertThat(many.slot(0)).isZero();
    assertThat(many.slot(2)).isEqualTo(1);
    assertThat(many.slot(4)).isZero();
    assertThat(many.subscribed(1)).isFalse();
    assertThat(many.subscribed(3)).isFalse();

    b.remove(many);

    assertThat(many.subscriptions()).isEqualTo(2);
    assertThat(many.subscribedSymbols()).containsExactly(0, 4);
    assertThat(many.subscribed(2)).isFalse();
    assertThat(members(b)).containsExactly(other);
    assertThat(other.slot(2)).isZero();

    a.remove(many);
    c.remove(many);

    assertThat(many.subscriptions()).isZero();
    assertThat(many.subscribedSymbols()).isEmpty();
  }

  @Test
  void movingAConnectionToAnotherSlotDoesNotCountItTwice() {
    Subscribers s = new Subscribers(0);
    List<Connection> cs = connections(3);
    cs.forEach(s::add);
    Subscribers t = new Subscribers(1);
    t.add(cs.get(2));

    s.remove(cs.get(0)); // moves cs[2] from slot 2 to slot 0

    assertThat(cs.get(2).subscriptions()).isEqualTo(2);
    assertThat(cs.get(2).subscribedSymbols()).containsExactly(0, 1);
  }
}
