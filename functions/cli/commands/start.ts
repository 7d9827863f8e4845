import type { Command } from '../command.ts';

export const startCommand: Command = {
  name: 'start',
  summary: '(not implemented yet)',
  help: 'privatelink-approver start: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver start: not implemented yet\n');
    return 1;
  },
};
