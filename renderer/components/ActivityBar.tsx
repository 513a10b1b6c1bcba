import { useEffect, useState } from 'react';
import { useStore, type Notice } from '../state/store';
import { progressText, useTasks, type Task } from '../state/tasks';

/** How long an information notice stays in the status bar (errors stay until dismissed); the history keeps all. */
export const NOTICE_MS = 8000;

const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function TaskRow({ task }: { task: Task }) {
  return (
    <li className="task">
      <span className="task-title">{task.title}</span>
      <progress max={100} value={task.percent} aria-label={`Progress of ${task.title}`} />
      <span className="hint">{progressText(task.progress)}</span>
      <button onClick={task.cancel}>Cancel</button>
    </li>
  );
}

/** Running tasks and the history of notices, above the status bar: in the page's flow, so it covers nothing. */
function ActivityPanel({ tasks, notices }: { tasks: Task[]; notices: Notice[] }) {
  return (
    <div className="activity-panel" id="activity-panel">
      <section aria-label="Tasks">
        <h2>Tasks</h2>
        {tasks.length ? (
          <ul className="tasks">
            {tasks.map((t) => (
              <TaskRow key={t.id} task={t} />
            ))}
          </ul>
        ) : (
          <p className="hint">Nothing running. Image builds and imports, clones and exports show here while they work.</p>
        )}
      </section>
      <section aria-label="Notification history">
        <div className="panel-head">
          <h2>Notifications</h2>
          {notices.length > 0 && <button onClick={() => useStore.getState().clearHistory()}>Clear</button>}
        </div>
        <ol className="history" role="log" aria-label="Notifications">
          {[...notices].reverse().map((n) => (
            <li key={n.id} className={n.level}>
              <time dateTime={new Date(n.at).toISOString()}>{time(n.at)}</time> <span>{n.text}</span>
            </li>
          ))}
        </ol>
        {!notices.length && <p className="hint">No notifications yet.</p>}
      </section>
    </div>
  );
}

/**
 * The window's status bar: the task at work with its progress and Cancel, the latest notice, and the way to
 * every task and every notice of this session. It sits below the content, never over it.
 */
export function ActivityBar() {
  const tasks = useTasks();
  const notices = useStore((s) => s.notices);
  const showing = useStore((s) => s.showing);
  const unread = useStore((s) => s.unread);
  const [open, setOpen] = useState(false);
  const latest = [...showing]
    .reverse()
    .map((id) => notices.find((n) => n.id === id))
    .find((n): n is Notice => !!n);

  useEffect(() => {
    const timers = showing
      .map((id) => notices.find((n) => n.id === id))
      .filter((n): n is Notice => n?.level === 'info')
      .map((n) => setTimeout(() => useStore.getState().dismiss(n.id), Math.max(0, n.at + NOTICE_MS - Date.now())));
    return () => timers.forEach(clearTimeout);
  }, [showing, notices]);
  useEffect(() => {
    if (open) useStore.getState().markRead();
  }, [open, unread]);

  const task = tasks[0];
  return (
    <div className="activity">
      {open && <ActivityPanel tasks={tasks} notices={notices} />}
      <div className="statusbar" role="region" aria-label="Tasks and notifications">
        {task && (
          <div className="current-task" role="status" aria-label="Task at work">
            <progress max={100} value={task.percent} aria-label={`Progress of ${task.title}`} />
            <span className="ellipsis">
              {task.title}: {progressText(task.progress)}
              {tasks.length > 1 && ` (+${tasks.length - 1} more)`}
            </span>
            <button onClick={task.cancel}>Cancel</button>
          </div>
        )}
        <div className={`latest ${latest?.level ?? ''}`} role={latest?.level === 'error' ? 'alert' : 'status'} aria-label="Latest notification">
          {latest && (
            <>
              <span className="ellipsis" title={latest.text}>
                {latest.text}
              </span>
              <button className="icon" aria-label="Dismiss" title="Dismiss (it stays in the history)" onClick={() => useStore.getState().dismiss(latest.id)}>
                ×
              </button>
            </>
          )}
        </div>
        <button className="activity-toggle" aria-expanded={open} aria-controls="activity-panel" onClick={() => setOpen(!open)}>
          {tasks.length ? `${tasks.length} task${tasks.length > 1 ? 's' : ''} · ` : ''}Notifications
          {unread > 0 && !open && (
            <span className="badge" aria-label={`${unread} new`}>
              {unread}
            </span>
          )}
        </button>
      </div>
    </div>
  );
}
