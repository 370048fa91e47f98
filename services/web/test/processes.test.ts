import { describe, expect, it } from 'vitest'
import { describeProcess } from '../app/processes.ts'

describe('a process in words, as the console says it', () => {
  it('says its state, its pid while it has one, and how often it was started again', () => {
    expect(describeProcess({ RestartCount: 0, State: { Status: 'running', Pid: 42 } })).toBe('running, pid 42')
    expect(describeProcess({ RestartCount: 1, State: { Status: 'paused', Pid: 42 } })).toBe(
      'paused, pid 42, restarted once',
    )
    expect(describeProcess({ RestartCount: 3, State: { Status: 'restarting', Pid: 0 } })).toBe(
      'restarting, restarted 3 times',
    )
  })
})
