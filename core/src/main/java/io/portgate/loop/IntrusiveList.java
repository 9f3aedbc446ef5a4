package io.portgate.loop;

/**
 * A doubly linked list whose links live in the elements (as {@link Link} fields), so adding, removing and moving an
 * element allocates nothing and an element can be in several lists at once through several links. Elements are kept
 * in the order added; {@link #moveToTail} makes one the newest, which is all an LRU needs. Not thread-safe: one loop
 * owns a list.
 *
 * @param <T> the element.
 */
public final class IntrusiveList<T>
{
    /**
     * An element's place in one list; the element holds one per list it can be in.
     *
     * @param <T> the element.
     */
    public static final class Link<T>
    {
        private final T element;
        private IntrusiveList<T> list;
        private Link<T> previous;
        private Link<T> next;

        /**
         * A link not in any list yet.
         *
         * @param element the element it belongs to.
         */
        public Link(final T element)
        {
            this.element = element;
        }

        /** @return the element. */
        public T element()
        {
            return element;
        }

        /** @return the next link toward the tail, or null at the tail. */
        public Link<T> next()
        {
            return next;
        }

        /** @return whether it is in a list. */
        public boolean isLinked()
        {
            return list != null;
        }
    }

    private Link<T> head;
    private Link<T> tail;
    private int size;

    /** @return the oldest link, or null when empty. */
    public Link<T> head()
    {
        return head;
    }

    /** @return the element at the head, or null when empty. */
    public T first()
    {
        return head == null ? null : head.element;
    }

    /** @return how many elements it holds. */
    public int size()
    {
        return size;
    }

    /** @return true when it holds nothing. */
    public boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * Adds at the tail.
     *
     * @param link a link in no list.
     * @throws IllegalStateException when the link is in a list already.
     */
    public void addLast(final Link<T> link)
    {
        if (link.list != null)
        {
            throw new IllegalStateException("already in a list");
        }
        link.list = this;
        link.next = null;
        link.previous = tail;
        if (tail != null)
        {
            tail.next = link;
        }
        else
        {
            head = link;
        }
        tail = link;
        size++;
    }

    /**
     * Removes a link; one in no list (or another list) is left alone.
     *
     * @param link the link.
     * @return true when it was in this list.
     */
    public boolean remove(final Link<T> link)
    {
        if (link.list != this)
        {
            return false;
        }
        if (link.previous != null)
        {
            link.previous.next = link.next;
        }
        else
        {
            head = link.next;
        }
        if (link.next != null)
        {
            link.next.previous = link.previous;
        }
        else
        {
            tail = link.previous;
        }
        link.previous = null;
        link.next = null;
        link.list = null;
        size--;
        return true;
    }

    /**
     * Moves a link of this list to the tail.
     *
     * @param link the link.
     */
    public void moveToTail(final Link<T> link)
    {
        if (link != tail && remove(link))
        {
            addLast(link);
        }
    }
}
