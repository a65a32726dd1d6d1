# Random differential check of the config module against supervisor 4.2.5 and
# Python 3.11: environment= (E), %-expansion (X), shlex.split (S) and the INI
# layer (I). Not part of ctest (needs Debian's supervisor). Build and run:
#   g++ -std=c++20 -I../../../../src driver.cpp ../../../../build-config/libbm_config.a \
#       ../../../../build-config/libbm_core.a -lfmt -o driver
#   /usr/bin/python3 fuzz.py <seed>     # prints mismatches, expects 0

import random, subprocess, shlex, io
from supervisor.datatypes import dict_of_key_value_pairs
from supervisor.options import expand, UnhosedConfigParser
random.seed(int(__import__('sys').argv[1]))
alpha_env = ['A','B','=',',','"',"'",' ','x','1','#','\n','é','$','/',':','\\','?','_',';']
alpha_x = ['%','(',')','s','d','here','n','s','0','2','-','.','*','x','#','r','%%',' ','é','c','5','l','z']
alpha_s = ['a',' ','"',"'",'\\','b','\t','\n','#','é']
alpha_i = ['[','a',']','=',':',' ','\n','  ',';','#','k','v','\t','DEFAULT','x','\r']
cases=[]
for _ in range(3000):
    k=random.choice('EXSI'); al={'E':alpha_env,'X':alpha_x,'S':alpha_s,'I':alpha_i}[k]
    s=''.join(random.choice(al) for _ in range(random.randint(0,14)))
    if k=='I' and random.random()<0.7: s='[s]\n'+s
    cases.append((k,s))
def py(k,s):
    try:
        if k=='E': return '{'+', '.join('%r: %r'%kv for kv in dict_of_key_value_pairs(s).items())+'}'
        if k=='X': return repr(expand(s,{'here':'/h','n':3,'s':"x'y"},'n'))
        if k=='S': return '['+', '.join(repr(x) for x in shlex.split(s))+']'
        if k=='I':
            p=UnhosedConfigParser(); f=io.StringIO(s.replace('\r\n','\n').replace('\r','\n')); f.name='f'; p.read_file(f)
            return '{'+', '.join('%r: {%s}'%(n, ', '.join('%r: %r'%(o,p.get(n,o)) for o in p.options(n))) for n in p.sections())+'}'
    except Exception as e: return 'ERR '+str(e)
inp=''.join(k+s.encode().hex()+'\n' for k,s in cases)
out=subprocess.run(['./driver'],input=inp.encode(),capture_output=True).stdout.decode().split('\n')
bad=0
for (k,s),o in zip(cases,out):
    p=py(k,s).replace('\n','<NL>')
    if p!=o:
        bad+=1
        if bad<=12: print(k, repr(s), '\n   py:', repr(p), '\n   c++:', repr(o))
print('mismatches', bad, 'of', len(cases))
