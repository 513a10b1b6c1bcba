import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** A fixed-row-height list that renders only what is visible: fast with 100,000 rows. */
export function VirtualList<T>(props: {
  items: T[];
  rowHeight: number;
  label: string;
  render(item: T): ReactNode;
  rowKey(item: T): string;
  stickToBottom?: boolean;
  onScroll?(atTop: boolean, atBottom: boolean): void;
}) {
  const { items, rowHeight } = props;
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(400);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !props.stickToBottom) return;
    el.scrollTop = el.scrollHeight;
    setScroll(el.scrollTop); // the rows drawn follow at once, not at a scroll event that may come late or not at all
  }, [items, props.stickToBottom]);

  const first = Math.max(0, Math.floor(scroll / rowHeight) - 10);
  const last = Math.min(items.length, Math.ceil((scroll + height) / rowHeight) + 10);
  return (
    <div
      className="vlist"
      ref={box}
      role="log"
      aria-label={props.label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        setScroll(el.scrollTop);
        props.onScroll?.(el.scrollTop === 0, el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight);
      }}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div key={props.rowKey(item)} style={{ position: 'absolute', top: (first + i) * rowHeight, height: rowHeight, left: 0, right: 0 }}>
            {props.render(item)}
          </div>
        ))}
      </div>
    </div>
  );
}
