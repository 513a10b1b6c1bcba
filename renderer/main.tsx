import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import './layout.css';
import { App } from './components/App';

createRoot(document.getElementById('root')!).render(<App />);
