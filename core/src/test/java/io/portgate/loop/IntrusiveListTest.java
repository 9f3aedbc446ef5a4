package io.portgate.loop;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The list whose links live in its elements: one element in two lists, removal from either, LRU moves. */
class IntrusiveListTest
{
    private static final class Item
    {
        final String name;
        final IntrusiveList.Link<Item> first = new IntrusiveList.Link<>(this);
        final IntrusiveList.Link<Item> second = new IntrusiveList.Link<>(this);

        Item(final String name)
        {
            this.name = name;
        }
    }

    private static List<String> names(final IntrusiveList<Item> list)
    {
        final List<String> names = new ArrayList<>();
        for (IntrusiveList.Link<Item> link = list.head(); link != null; link = link.next())
        {
            names.add(link.element().name);
        }
        return names;
    }

    @Test
    void anElementIsInTwoListsThroughTwoLinks()
    {
        final IntrusiveList<Item> open = new IntrusiveList<>();
        final IntrusiveList<Item> waiting = new IntrusiveList<>();
        final Item a = new Item("a");
        final Item b = new Item("b");
        final Item c = new Item("c");
        open.addLast(a.first);
        open.addLast(b.first);
        open.addLast(c.first);
        waiting.addLast(c.second);
        waiting.addLast(a.second);
        assertEquals(List.of("a", "b", "c"), names(open));
        assertEquals(List.of("c", "a"), names(waiting));

        assertTrue(open.remove(a.first));
        assertFalse(open.remove(a.first), "removing twice does nothing");
        assertFalse(open.remove(a.second), "a link of another list is not this list's");
        assertEquals(List.of("b", "c"), names(open));
        assertEquals(List.of("c", "a"), names(waiting));
        assertEquals(2, open.size());
        assertThrows(IllegalStateException.class, () -> open.addLast(b.first));
    }

    @Test
    void movingToTheTailKeepsTheRestInOrder()
    {
        final IntrusiveList<Item> list = new IntrusiveList<>();
        final Item a = new Item("a");
        final Item b = new Item("b");
        final Item c = new Item("c");
        list.addLast(a.first);
        list.addLast(b.first);
        list.addLast(c.first);
        list.moveToTail(a.first);
        assertEquals(List.of("b", "c", "a"), names(list));
        list.moveToTail(a.first);
        assertEquals(List.of("b", "c", "a"), names(list));
        list.moveToTail(c.first);
        assertEquals(List.of("b", "a", "c"), names(list));
        assertEquals("b", list.first().name);
        list.remove(b.first);
        list.remove(a.first);
        list.remove(c.first);
        assertTrue(list.isEmpty());
        assertEquals(null, list.first());
    }
}
